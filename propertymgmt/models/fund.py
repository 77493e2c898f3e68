"""The maintenance fund (维修资金): an account per estate (or building) with its holder,
the transactions whose sum is its balance, and the vote-gated withdrawals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.choices import RightsUnitStatus

from ..choices import FUND_OUTFLOWS, FundAccountHolder, FundTransactionKind
from ._scoping import ESTATE_SCOPE
from .votes import OwnersVote

# District officials and street staff keep the fund ledger; community workers read it.
FUND_WRITERS = frozenset({"district_official", "street_staff"})


class FundWithdrawal(models.Model):
    """维修资金使用: only with a passed owners' vote on using the fund."""

    estate = models.ForeignKey("communities.Estate", on_delete=models.PROTECT, related_name="fund_withdrawals")
    vote = models.ForeignKey(
        OwnersVote, on_delete=models.PROTECT, related_name="withdrawals", verbose_name=_("业主表决")
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=200)
    withdrawn_on = models.DateField(_("使用日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE

    class Meta:
        verbose_name = _("维修资金使用")
        verbose_name_plural = _("维修资金使用")
        ordering = ["-withdrawn_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="withdrawal_amount_positive", violation_error_message=_("金额须大于0。")
            )
        ]

    def __str__(self):
        return self.purpose


class FundAccount(models.Model):
    """维修资金账户 of an estate, or of one building where the fund is kept per building.

    Its balance is the sum of its transactions (selectors.fund_accounts_for annotates it);
    nothing here is a typed amount."""

    estate = models.ForeignKey(
        "communities.Estate", on_delete=models.PROTECT, related_name="fund_accounts", verbose_name=_("小区")
    )
    building = models.ForeignKey(
        "communities.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_accounts",
        verbose_name=_("楼栋"),
        help_text=_("按楼栋归集的填写楼栋；按小区归集的留空。"),
    )
    holder = models.CharField(_("资金持有方"), max_length=16, choices=FundAccountHolder.choices)
    holder_unit = models.ForeignKey(
        "communities.PropertyRightsUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_accounts",
        verbose_name=_("售房单位"),
    )
    bank = models.CharField(_("开户银行"), max_length=100, blank=True)
    opened_on = models.DateField(_("建账日期"))
    remarks = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # empty: opened by the migration of the old typed facts
    history = HistoricalRecords()

    scope_paths = ESTATE_SCOPE
    scope_writers = FUND_WRITERS

    class Meta:
        verbose_name = _("维修资金账户")
        verbose_name_plural = _("维修资金账户")
        ordering = ["estate_id", "building_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(building__isnull=True),
                name="fund_account_one_per_estate",
                violation_error_message=_("该小区已有小区级维修资金账户。"),
            ),
            models.UniqueConstraint(
                fields=["building"],
                condition=Q(building__isnull=False),
                name="fund_account_one_per_building",
                violation_error_message=_("该楼栋已有维修资金账户。"),
            ),
            models.CheckConstraint(
                condition=Q(holder_unit__isnull=True) | Q(holder=FundAccountHolder.SELLING_UNIT),
                name="fund_account_unit_only_for_selling_unit",
                violation_error_message=_("只有持有方为售房单位时才填写售房单位。"),
            ),
        ]

    def __str__(self):
        if self.building_id:
            return f"{self.estate} {self.building}"
        return str(self.estate)

    @property
    def holder_unit_gone(self) -> bool:
        """The selling unit no longer exists (dissolved, merged or split): read from the
        unit's own status, never kept twice."""
        return self.holder_unit is not None and self.holder_unit.status != RightsUnitStatus.ACTIVE


class FundTransaction(models.Model):
    """维修资金流水: one posting. The amount is always positive; the kind gives the sign."""

    account = models.ForeignKey(
        FundAccount, on_delete=models.PROTECT, related_name="transactions", verbose_name=_("维修资金账户")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=FundTransactionKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    booked_on = models.DateField(_("记账日期"))
    note = models.CharField(_("摘要"), max_length=200, blank=True)
    withdrawal = models.OneToOneField(
        FundWithdrawal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posting",
        verbose_name=_("维修资金使用"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # empty: posted by the migration of the old typed balance
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    scope_paths = {
        "district": "account__estate__community__street__district",
        "street": "account__estate__community__street",
        "community": "account__estate__community",
    }
    scope_writers = FUND_WRITERS

    class Meta:
        verbose_name = _("维修资金流水")
        verbose_name_plural = _("维修资金流水")
        ordering = ["booked_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="fund_transaction_amount_positive",
                violation_error_message=_("金额须大于0。"),
            ),
            models.CheckConstraint(
                condition=Q(withdrawal__isnull=True) | Q(kind=FundTransactionKind.WITHDRAWAL),
                name="fund_transaction_withdrawal_only_for_use",
                violation_error_message=_("只有“使用”流水才关联维修资金使用记录。"),
            ),
        ]
        indexes = [models.Index(fields=["account", "booked_on", "id"], name="fund_txn_account_date_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def signed_amount(self):
        return -self.amount if self.kind in FUND_OUTFLOWS else self.amount
