"""Disbursement (拨付): approved subsidies gathered into one batch per district and
period, released by a district official as a payment instruction to the finance
bureau, and settled line by line as paid or returned (a returned line is reissued
once, in a later batch, after its payee record is corrected).

Exactly once is the database's rule, not the code's hope: at most one open batch per
district and period, a payment in at most one live line, paid at most once, and a
returned line reissued at most once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DisbursementBatch(models.Model):
    """拨付批次 of one district and period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待发布")
        RELEASED = "released", _("已发布")

    district = models.ForeignKey("org.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    period = models.ForeignKey(
        "SubsidyPeriod", on_delete=models.PROTECT, related_name="batches", verbose_name=_("补贴期间")
    )
    sequence = models.PositiveSmallIntegerField(_("序号"), default=1)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    released_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_paths = {"district": "district", "street": "district__streets", "community": "district__streets__communities"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["-period__starts_on", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["district", "period", "sequence"], name="batch_sequence_unique"),
            # Two beat processes, or two workers, find the same open batch: never two.
            models.UniqueConstraint(
                fields=["district", "period"], condition=Q(status="draft"), name="batch_one_open_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", released_at__isnull=True) | Q(status="released", released_at__isnull=False),
                name="batch_release_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.period} #{self.sequence}"

    @property
    def number(self) -> str:
        return f"{self.period.starts_on:%Y%m}-{self.district_id}-{self.sequence:02d}"


class DisbursementBuild(models.Model):
    """拨付批次生成记录: what a district's last build looked at (a digest of the
    approved payments and awards, the contracts, serving committees, payee records and
    estates that decide its lines, and the period), so the daily run skips a district
    where none of it changed."""

    district = models.OneToOneField("org.District", on_delete=models.CASCADE, primary_key=True, related_name="+")
    fingerprint = models.CharField(_("数据摘要"), max_length=64)
    built_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    scope_paths = {"district": "district", "street": "district__streets", "community": "district__streets__communities"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("拨付批次生成记录")
        verbose_name_plural = _("拨付批次生成记录")

    def __str__(self):
        return f"{self.district_id} {self.built_at:%Y-%m-%d %H:%M}"


class BatchLine(models.Model):
    """One payment in one batch, with the payee record as it was when the batch was
    made (the instruction pays what it names, whatever is corrected later). A line
    pays either a subsidy payment or a 以奖代补 award, never both."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待拨付")
        PAID = "paid", _("已支付")
        RETURNED = "returned", _("已退回")

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.PROTECT, related_name="lines")
    payment = models.ForeignKey("SubsidyPayment", on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    award = models.ForeignKey("RewardAward", on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    street = models.ForeignKey("org.StreetOffice", on_delete=models.PROTECT, related_name="+")
    payee = models.ForeignKey("Payee", on_delete=models.PROTECT, related_name="lines")
    account_name = models.CharField(_("收款人全称"), max_length=100)
    bank = models.CharField(_("开户银行"), max_length=170)
    account_number = models.CharField(_("账号"), max_length=32)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    reissue_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reissue", verbose_name=_("重发自")
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    settled_at = models.DateTimeField(_("结算时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("退回原因/说明"), max_length=200, blank=True)

    scope_paths = {"district": "street__district", "street": "street", "community": "payment__estate__community"}
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("拨付明细")
        verbose_name_plural = _("拨付明细")
        ordering = ["batch_id", "street_id", "id"]
        constraints = [
            # A payment is in at most one line that is not returned: never twice in a
            # batch, never in two batches at once.
            models.UniqueConstraint(
                fields=["payment"], condition=~Q(status="returned"), name="line_one_live_per_payment"
            ),
            # And paid at most once, whatever happens to its lines.
            models.UniqueConstraint(fields=["payment"], condition=Q(status="paid"), name="line_paid_once"),
            # The same two rules for awards.
            models.UniqueConstraint(fields=["award"], condition=~Q(status="returned"), name="line_one_live_per_award"),
            models.UniqueConstraint(fields=["award"], condition=Q(status="paid"), name="line_award_paid_once"),
            models.CheckConstraint(
                condition=Q(payment__isnull=False, award__isnull=True) | Q(payment__isnull=True, award__isnull=False),
                name="line_pays_payment_or_award",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="line_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending", settled_at__isnull=True)
                | (~Q(status="pending") & Q(settled_at__isnull=False)),
                name="line_settlement_recorded",
            ),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(reason=""), name="line_return_has_reason"),
        ]
        indexes = [models.Index(fields=["batch", "street"], name="line_batch_street_idx")]

    def __str__(self):
        return f"{self.batch_id} {self.payment_id or self.award_id} {self.amount}"

    @property
    def paid_to_name(self) -> str:
        """Whom the line is for: the estate of a subsidy, the street (community) of an award."""
        if self.award_id:
            award = self.award
            return award.community.name if award.community_id else award.street.name
        return self.payment.estate.name

    @property
    def subject(self) -> str:
        """What the line pays: the subsidy's period and tranche, or the award's year."""
        if self.award_id:
            award = self.award
            return _("%(y)s年度以奖代补（%(s)s分）") % {"y": award.scheme.year, "s": award.score}
        return f"{self.payment.period.label}{self.payment.get_tranche_display()}"
