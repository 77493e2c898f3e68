"""What officials keep for the cases to run on: the categories with their
deadlines in working days, and the calendar of holidays and make-up working days.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """投诉类别, with the deadlines the local rules set for it (working days)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    accept_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=1, help_text=_("0 表示当日受理。"))
    resolve_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=13)
    remind_days = models.PositiveSmallIntegerField(
        _("提前提醒（工作日）"), default=2, help_text=_("距办结时限还剩几个工作日时标记为临期。")
    )
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("投诉类别")
        verbose_name_plural = _("投诉类别")
        ordering = ["sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolve_days__gte=models.F("accept_days")),
                name="category_resolve_not_before_accept",
                violation_error_message=_("办结时限不能短于受理时限。"),
            ),
        ]

    def __str__(self):
        return self.name


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a holiday (休) on a weekday or a
    make-up working day (调休上班) on a weekend, as the State Council's yearly
    notice sets them. Officials keep this table in the portal."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=30, blank=True, help_text=_("例如 春节、国庆节。"))

    # Only district officials keep the calendar; everyone reads it.
    scope_writers = frozenset({"district_official"})

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    @classmethod
    def scope_q(cls, level, node_id):
        return Q()
