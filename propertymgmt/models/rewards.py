"""以奖代补: the district scores its streets (and, where it chooses, their communities)
once a year on a scheme kept as data, a district official approves the awards, and
the awards are paid through the same disbursement batches as the subsidies.

The scheme is data, not code: Shanghai's, for example, scores fee collection 40,
inspections 40 and safety 20, and pays the full reward from 80 points and 80% of it
from 70 to 79.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RewardScheme(models.Model):
    """以奖代补考核办法 of one district and year."""

    district = models.ForeignKey("org.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    items = models.JSONField(
        _("考核项目"), help_text=_('例如 [{"code": "fee", "name": "物业费收缴", "points": 40}, ...]，合计100分。')
    )
    tiers = models.JSONField(
        _("奖励档次"),
        help_text=_(
            '得分达到的最低分及奖励比例，例如 [{"min_score": 80, "share": "1"}, {"min_score": 70, "share": "0.8"}]。'
        ),
    )
    street_reward = models.DecimalField(_("街道全额奖励（元）"), max_digits=12, decimal_places=2)
    community_reward = models.DecimalField(
        _("社区全额奖励（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("不考核社区的留空。"),
    )
    history = HistoricalRecords()

    scope_paths = {"district": "district", "street": "district__streets", "community": "district__streets__communities"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("以奖代补考核办法")
        verbose_name_plural = _("以奖代补考核办法")
        ordering = ["-year", "district_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"],
                name="reward_scheme_once_a_year",
                violation_error_message=_("本区该年度已有以奖代补考核办法。"),
            ),
            models.CheckConstraint(condition=Q(street_reward__gt=0), name="reward_scheme_street_positive"),
            models.CheckConstraint(
                condition=Q(community_reward__isnull=True) | Q(community_reward__gt=0),
                name="reward_scheme_community_positive",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    @property
    def max_points(self) -> Decimal:
        return sum((Decimal(str(item["points"])) for item in self.items), Decimal("0"))


class RewardAward(models.Model):
    """以奖代补奖励: one street's (or one community's) score in a year and what it earns."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已审批")

    scheme = models.ForeignKey(
        RewardScheme, on_delete=models.PROTECT, related_name="awards", verbose_name=_("考核办法")
    )
    street = models.ForeignKey("org.StreetOffice", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    community = models.ForeignKey(
        "org.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区")
    )
    item_scores = models.JSONField(_("分项得分"), default=dict)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    share = models.DecimalField(_("奖励比例"), max_digits=4, decimal_places=3)
    amount = models.DecimalField(_("奖励金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PROPOSED)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    history = HistoricalRecords()

    scope_paths = {"district": "street__district", "street": "street", "community": "community"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("以奖代补奖励")
        verbose_name_plural = _("以奖代补奖励")
        ordering = ["-scheme__year", "street_id", "community_id"]
        constraints = [
            # One award per street (community null) or community in a scheme's year.
            models.UniqueConstraint(
                fields=["scheme", "street", "community"],
                name="reward_award_once",
                nulls_distinct=False,
                violation_error_message=_("该街道（社区）本年度已评分。"),
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="reward_award_score_range"),
            models.CheckConstraint(condition=Q(share__gte=0) & Q(share__lte=1), name="reward_award_share_range"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="reward_award_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status="proposed", approved_at__isnull=True)
                | Q(status="approved", approved_at__isnull=False),
                name="reward_award_approval_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.scheme.year} {self.street_id}/{self.community_id} {self.amount}"
