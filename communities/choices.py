"""The estate registry's enums: the ledger's public vocabulary.

Other apps name these (a management mode, a fund status) without reaching into
`communities.models`; the models import them from here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ManagementMode(models.TextChoices):
    MARKET = "market", _("市场化物业")
    UNIT = "unit", _("单位自管")
    OWNERS = "owners", _("业主自治")
    STREET_CENTRE = "street_centre", _("街道物业服务中心托管")
    NONE = "none", _("无人管理")


class Enclosure(models.TextChoices):
    OPEN = "open", _("开放式")
    SEMI = "semi", _("半开放")
    CLOSED = "closed", _("封闭")


class OwnersBody(models.TextChoices):
    NONE = "none", _("无")
    COMMITTEE = "committee", _("业主委员会")
    SELF_MANAGEMENT = "self_mgmt", _("自管会")
    MANAGEMENT_COMMITTEE = "mgmt_committee", _("小区管委会")


class FundStatus(models.TextChoices):
    COLLECTED = "collected", _("已归集")
    PARTIAL = "partial", _("部分归集")
    NOT_COLLECTED = "not_collected", _("未归集")
    UNKNOWN = "unknown", _("不详")


class FundHolder(models.TextChoices):
    CENTRE = "centre", _("住房资金管理中心")
    BANK = "bank", _("银行专户")
    SELLING_UNIT = "selling_unit", _("售房单位")
    OWNERS = "owners", _("业主大会")
    OTHER = "other", _("其他")
    NONE = "none", _("无")


class RightsUnitStatus(models.TextChoices):
    ACTIVE = "active", _("存续")
    SPLIT = "split", _("已分立")
    MERGED = "merged", _("已合并")
    DISSOLVED = "dissolved", _("已解散")


class Structure(models.TextChoices):
    BRICK_CONCRETE = "brick_concrete", _("砖混")
    BRICK_WOOD = "brick_wood", _("砖木")
    FRAME = "frame", _("框架")
    FRAME_SHEAR = "frame_shear", _("框剪")
    SHEAR_WALL = "shear_wall", _("剪力墙")
    STEEL = "steel", _("钢结构")
    OTHER = "other", _("其他")


class DangerGrade(models.TextChoices):
    A = "A", _("A级（安全）")
    B = "B", _("B级（基本安全）")
    C = "C", _("C级（局部危房，需加固）")
    D = "D", _("D级（整栋危房，需拆除）")


DANGEROUS_GRADES = (DangerGrade.C, DangerGrade.D)


class RightsForm(models.TextChoices):
    ECONOMICAL = "economical", _("经济适用房")
    CENTRAL = "central", _("央产房")
    REFORM = "reform", _("房改房")
    CENTRAL_LISTED = "central_listed", _("央产上市房")
    PUBLIC_RENTED = "public_rented", _("承租房")
    COMMERCIAL = "commercial", _("商品房")
    RESETTLEMENT = "resettlement", _("回迁房/安置房")
    PUBLIC_RENTAL = "public_rental", _("公租房")
    OTHER = "other", _("其他")
