"""The renovation app's enums: its public vocabulary.

Other apps name these (a project's stage, a gate, a funding source, a category
of work) without reaching into `renovation.models`; the models import them from
here. `ConsultationMeeting.Kind` stays with its model.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkCategory(models.TextChoices):
    BASIC = "basic", _("基础类")
    IMPROVEMENT = "improvement", _("完善类")
    UPGRADE = "upgrade", _("提升类")


class Output(models.TextChoices):
    """What a work item adds to the outputs reported nationally."""

    NONE = "", _("不单独统计")
    PIPES_KM = "pipes_km", _("改造管线（公里）")
    ELEVATORS = "elevators", _("加装电梯（部）")
    PARKING = "parking", _("增设停车位（个）")
    CHARGERS = "chargers", _("增设充电桩（个）")
    RETROFIT_M2 = "retrofit_m2", _("节能改造（㎡）")
    FACILITIES = "facilities", _("社区服务设施（个）")


class Stage(models.TextChoices):
    RESERVE = "reserve", _("储备")
    PREPARATION = "preparation", _("前期")
    CONSULTATION = "consultation", _("公示/征求意见")
    TENDER = "tender", _("招标")
    CONSTRUCTION = "construction", _("在建")
    COMPLETED = "completed", _("竣工")
    ACCEPTED = "accepted", _("验收")
    HANDED_OVER = "handed_over", _("长效管理")


STAGE_ORDER = [value for value, _label in Stage.choices]
STARTED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.CONSTRUCTION) :]
FINISHED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.COMPLETED) :]


class Gate(models.TextChoices):
    ILLEGAL_STRUCTURES = "illegal_structures", _("违建拆除到位")
    LONG_TERM_MANAGEMENT = "long_term_management", _("长效管理落实")
    STREET_CONSENT = "street_consent", _("所在街道同意")
    RESIDENTS_CONSENT = "residents_consent", _("居民同意")
    MAINTENANCE_FUND = "maintenance_fund", _("维修资金归集或筹集方案")
    CONTRACTOR = "contractor", _("施工单位已确定")
    CONSTRUCTION_PERMIT = "construction_permit", _("施工许可或免于办理")


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("中央补助")
    PROVINCIAL = "provincial", _("省级补助")
    CITY_COUNTY = "city_county", _("市县财政")
    RESIDENTS = "residents", _("居民出资")
    UTILITIES = "utilities", _("专业经营单位")
    PRIVATE = "private", _("社会资本")
    LOANS = "loans", _("金融信贷")
    MAINTENANCE_FUND = "maintenance_fund", _("维修资金")
    PROVIDENT_FUND = "provident_fund", _("住房公积金")
    RIGHTS_UNITS = "rights_units", _("产权单位")
    DONATIONS = "donations", _("企业捐助")
