"""The maintenance fund (维修资金): what is withdrawn from it, on a passed vote."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ._scoping import ESTATE_SCOPE
from .votes import OwnersVote


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
