from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonthlySnapshot(models.Model):
    """月末快照: the ledger's headline figures of one organisation node as they
    stood at the end of a month, so that the dashboard can show the trend
    against last month and last year. Written once per month and node by the
    beat task (services.take_snapshots) and never changed afterwards."""

    class Level(models.TextChoices):
        ALL = "all", _("全部")
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")

    month = models.DateField(_("月份"), help_text=_("该月第一天；数据为该月末的情况。"))
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    # The district, street or community id; 0 for the whole portal. Not a
    # foreign key: a snapshot outlives a node that is later merged away.
    node_id = models.BigIntegerField(_("单位编号"), default=0)
    figures = models.JSONField(_("数据"))
    taken_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("月末快照")
        verbose_name_plural = _("月末快照")
        constraints = [
            models.UniqueConstraint(fields=["level", "node_id", "month"], name="snapshot_once_per_node_and_month"),
        ]

    def __str__(self):
        return f"{self.level}:{self.node_id} {self.month:%Y-%m}"
