from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import register_exporter


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("物业投诉调解")

    def ready(self):
        """Tell the platform what it runs for this app (core names no app)."""
        register_exporter("complaints", "complaints.excel.export_for_job")
