"""The measures rollup: per month of receipt, street and category."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .reference import Category


class MonthlyStat(models.Model):
    DISTRICT_TOTAL = -1
    """Measures per month of receipt, street and category, kept by the services
    in the same transaction as each step, so the measures page reads a few
    hundred rows instead of grouping millions of cases."""

    month = models.DateField(_("月份"))
    # A rollup rebuilt from the cases at will: no database-level foreign keys,
    # so that reloading the organisation tree (benchmarks, imports) never trips on it.
    district = models.ForeignKey("org.District", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    street = models.ForeignKey(
        "org.StreetOffice",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # street id, 0 for cases without a street, DISTRICT_TOTAL for the district's
    # total row (what district-wide and national figures read: ten times fewer rows).
    street_key = models.BigIntegerField(default=0)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    received = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfaction_sum = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("月度统计")
        verbose_name_plural = _("月度统计")
        constraints = [
            models.UniqueConstraint(fields=["month", "district", "street_key", "category"], name="monthly_stat_unique"),
        ]
        indexes = [
            models.Index(fields=["district", "month"], name="monthly_stat_district_idx"),
            models.Index(fields=["street_key", "month"], name="monthly_stat_level_idx"),
        ]

    def __str__(self):
        return f"{self.month} {self.street_key} {self.category_id}"
