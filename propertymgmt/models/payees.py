"""Payees (收款信息): where a managing body's subsidies are paid.

Every body that can receive money keeps one payee record: a property company or a
rights unit (registered by the district), a street's property service centre, or an
owners' committee / 自管会 (kept by its street). Account numbers are checked, never
guessed, shown masked everywhere but on the payee page for district officials and in
the payment instruction, and each full view is logged like a phone-number view.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import ACCOUNT_NUMBER_PATTERN, mask_account_number, validate_account_number

from ..choices import PayeeBody


class Payee(models.Model):
    """收款信息 of one managing body."""

    district = models.ForeignKey("org.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    # The street whose body it is (its service centre, or a committee of one of its
    # estates); companies and rights units are the district's and have none.
    street = models.ForeignKey(
        "org.StreetOffice", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("街道")
    )
    body = models.CharField(_("收款主体类型"), max_length=16, choices=PayeeBody.choices)
    company = models.OneToOneField(
        "PropertyCompany",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payee",
        verbose_name=_("物业服务企业"),
    )
    rights_unit = models.OneToOneField(
        "communities.PropertyRightsUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payee",
        verbose_name=_("产权单位"),
    )
    committee = models.OneToOneField(
        "Committee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payee",
        verbose_name=_("业委会/自管会"),
    )
    account_name = models.CharField(_("收款人全称"), max_length=100)
    bank = models.CharField(_("开户银行"), max_length=60)
    branch = models.CharField(_("开户网点"), max_length=100, blank=True)
    account_number = models.CharField(
        _("账号"), max_length=32, validators=[validate_account_number], help_text=_("8至32位数字，可带空格。")
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    # District officials see and keep all of their district's payees; street staff
    # those of their street's own bodies; communities none (bank details).
    scope_writers = frozenset({"district_official", "street_staff"})

    class Meta:
        verbose_name = _("收款信息")
        verbose_name_plural = _("收款信息")
        ordering = ["district_id", "body", "account_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(body="company", company__isnull=False, rights_unit__isnull=True, committee__isnull=True)
                    | Q(body="rights_unit", company__isnull=True, rights_unit__isnull=False, committee__isnull=True)
                    | Q(
                        body="street_centre",
                        street__isnull=False,
                        company__isnull=True,
                        rights_unit__isnull=True,
                        committee__isnull=True,
                    )
                    | Q(
                        body="committee",
                        street__isnull=False,
                        company__isnull=True,
                        rights_unit__isnull=True,
                        committee__isnull=False,
                    )
                ),
                name="payee_names_exactly_its_body",
            ),
            models.UniqueConstraint(
                fields=["street"], condition=Q(body="street_centre"), name="payee_one_per_street_centre"
            ),
            models.CheckConstraint(
                condition=Q(account_number__regex=ACCOUNT_NUMBER_PATTERN), name="payee_account_number_digits"
            ),
            models.CheckConstraint(condition=~Q(account_name="") & ~Q(bank=""), name="payee_name_and_bank_given"),
        ]

    def __str__(self):
        return f"{self.account_name} {self.masked_account}"

    @property
    def masked_account(self) -> str:
        return mask_account_number(self.account_number)

    @classmethod
    def scope_q(cls, level, node_id):
        if level == "district":
            return Q(district_id=node_id)
        if level == "street":
            return Q(street_id=node_id)
        # No bank details for communities: a condition no row meets (a real filter,
        # not an empty IN list that Django answers without asking the database).
        return Q(pk__isnull=True)


class PayeeAccountView(models.Model):
    """Each time a district official saw a payee's full account number."""

    payee = models.ForeignKey(Payee, on_delete=models.CASCADE, related_name="account_views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("查看账号记录")
        verbose_name_plural = _("查看账号记录")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.payee_id} {self.user_id} {self.at}"
