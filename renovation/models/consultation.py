"""Consulting the residents (征求意见): meetings, surveys and door-to-door rounds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .projects import Project, StageMove


class ConsultationMeeting(models.Model):
    """征求意见: a meeting, survey or door-to-door round and what came of it."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("居民议事会")
        SURVEY = "survey", _("问卷调查")
        DOOR_TO_DOOR = "door", _("入户征求意见")
        HEARING = "hearing", _("听证会")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("项目"))
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    held_on = models.DateField(_("日期"))
    attendees = models.PositiveIntegerField(_("参加人数"), default=0)
    opinions = models.PositiveIntegerField(_("收集意见（条）"), default=0)
    summary = models.TextField(_("意见摘要"), blank=True)
    response = models.TextField(_("答复及采纳情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    scope_paths = StageMove.scope_paths
    scope_writers = Project.scope_writers

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["project_id", "held_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"
