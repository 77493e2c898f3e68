"""The property-management app's enums: its public vocabulary.

Other apps name these (a company's status, a managing body, a vote's subject, a
committee's stage) without reaching into `propertymgmt.models`; the models import
them from here. Enums nested in a model (`Ballot.Channel`, `Reminder.Kind`,
`SubsidyPayment.Status`) stay with their model.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    ORDERED_OUT = "ordered_out", _("已责令退出")
    WITHDRAWN = "withdrawn", _("已撤出")


class ManagingBody(models.TextChoices):
    COMPANY = "company", _("物业服务企业")
    STREET_CENTRE = "street_centre", _("街道物业服务中心")
    RIGHTS_UNIT = "rights_unit", _("产权单位")
    OWNERS = "owners", _("业主自治")


class PayeeBody(models.TextChoices):
    """Who can receive money: the managing bodies, with owners' self-management
    paid through its committee or 自管会."""

    COMPANY = "company", _("物业服务企业")
    RIGHTS_UNIT = "rights_unit", _("产权单位")
    STREET_CENTRE = "street_centre", _("街道物业服务中心")
    COMMITTEE = "committee", _("业委会/自管会")


# What each kind of managing body makes the estate's management mode (communities.ManagementMode).
BODY_MODE = {
    ManagingBody.COMPANY: "market",
    ManagingBody.STREET_CENTRE: "street_centre",
    ManagingBody.RIGHTS_UNIT: "unit",
    ManagingBody.OWNERS: "owners",
}


class ServiceLevel(models.TextChoices):
    ONE = "1", _("一级")
    TWO = "2", _("二级")
    THREE = "3", _("三级")
    FOUR = "4", _("四级")
    FIVE = "5", _("五级")
    BASIC = "basic", _("基础服务")


class VoteSubject(models.TextChoices):
    """The matters of Civil Code art. 278; the thresholds of each are in VoteThreshold."""

    RULES_OF_PROCEDURE = "rules_of_procedure", _("制定和修改业主大会议事规则")
    MANAGEMENT_RULES = "management_rules", _("制定和修改管理规约")
    ELECT_COMMITTEE = "elect_committee", _("选举业主委员会或者更换业主委员会成员")
    HIRE_COMPANY = "hire_company", _("选聘和解聘物业服务企业或者其他管理人")
    FUND_USE = "fund_use", _("使用建筑物及其附属设施的维修资金")
    FUND_RAISE = "fund_raise", _("筹集建筑物及其附属设施的维修资金")
    BUILDING_WORKS = "building_works", _("改建、重建建筑物及其附属设施")
    ELEVATOR = "elevator", _("增设电梯")
    CHANGE_OF_USE = "change_of_use", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = "other", _("有关共有和共同管理权利的其他重大事项")


class VoteStatus(models.TextChoices):
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("已结束")


class BallotChoice(models.TextChoices):
    AGREE = "agree", _("同意")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class CommitteeKind(models.TextChoices):
    COMMITTEE = "committee", _("业主委员会")
    SELF_MANAGEMENT = "self_mgmt", _("自管会")
    MANAGEMENT_COMMITTEE = "mgmt_committee", _("小区管委会")


class CommitteeStage(models.TextChoices):
    PREPARATION = "preparation", _("筹备组已成立")
    ASSEMBLY = "assembly", _("业主大会已召开")
    ELECTED = "elected", _("已选举")
    FILED = "filed", _("已备案")
    IN_TERM = "in_term", _("任期中")
    RE_ELECTION = "re_election", _("换届中")
    DISSOLVED = "dissolved", _("已解散")


# The lifecycle (业委会): which stage may follow which. A 自管会 or 小区管委会 stands in for a
# committee on its own path: set up in term, then dissolved. Moves go through
# services.move_committee, which checks this table and logs each move.
COMMITTEE_MOVES = {
    CommitteeStage.PREPARATION: (CommitteeStage.ASSEMBLY, CommitteeStage.DISSOLVED),
    CommitteeStage.ASSEMBLY: (CommitteeStage.ELECTED, CommitteeStage.DISSOLVED),
    CommitteeStage.ELECTED: (CommitteeStage.FILED, CommitteeStage.DISSOLVED),
    CommitteeStage.FILED: (CommitteeStage.IN_TERM, CommitteeStage.RE_ELECTION, CommitteeStage.DISSOLVED),
    CommitteeStage.IN_TERM: (CommitteeStage.RE_ELECTION, CommitteeStage.DISSOLVED),
    CommitteeStage.RE_ELECTION: (CommitteeStage.ELECTED, CommitteeStage.DISSOLVED),
    CommitteeStage.DISSOLVED: (),
}
STAND_IN_MOVES = {
    CommitteeStage.IN_TERM: (CommitteeStage.DISSOLVED,),
    CommitteeStage.DISSOLVED: (),
}


class StepKind(models.TextChoices):
    PREPARATION_DEADLINE = "preparation", _("筹备期限")
    ASSEMBLY = "assembly", _("召开业主大会")
    FILING = "filing", _("备案")
    TERM_END = "term_end", _("任期届满")
    RE_ELECTION = "re_election", _("换届选举")


class Tranche(models.TextChoices):
    ADVANCE = "advance", _("预拨（70%）")
    BALANCE = "balance", _("考核后拨付（30%）")


class RectificationResult(models.TextChoices):
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")


class RectificationStatus(models.TextChoices):
    """Derived from the deadline and the check, never stored."""

    OPEN = "open", _("整改中")
    OVERDUE = "overdue", _("已逾期")
    PASSED = "passed", _("整改合格")
    FAILED = "failed", _("整改不合格")


class OpinionKind(models.TextChoices):
    ENTRY = "entry", _("进驻")
    EXIT = "exit", _("退出")
    RATING = "rating", _("评价")


class OpinionGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    UNQUALIFIED = "unqualified", _("不合格")


class FundAccountHolder(models.TextChoices):
    """Who keeps a maintenance-fund account (住宅专项维修资金管理办法 art. 10–12)."""

    CENTRE = "centre", _("住房资金管理中心")
    BANK = "bank", _("银行专户")
    SELLING_UNIT = "selling_unit", _("售房单位")
    # Only the migration of the old typed facts writes this: a balance whose holder the
    # ledger did not say; a transfer moves it to a known holder.
    UNKNOWN = "unknown", _("持有方待核实")


class FundTransactionKind(models.TextChoices):
    OPENING = "opening", _("期初结转")
    INITIAL = "initial", _("首期交存")
    TOP_UP = "top_up", _("续筹")
    INTEREST = "interest", _("利息")
    WITHDRAWAL = "withdrawal", _("使用")
    TRANSFER_OUT = "transfer_out", _("转出")
    TRANSFER_IN = "transfer_in", _("转入")


# The kinds that take money out of an account; every other kind adds to it.
FUND_OUTFLOWS = (FundTransactionKind.WITHDRAWAL, FundTransactionKind.TRANSFER_OUT)
