from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import register_exporter


class RenovationConfig(AppConfig):
    name = "renovation"
    verbose_name = _("老旧小区改造")

    def ready(self):
        """Tell the platform what it runs for this app (core names no app)."""
        register_exporter("renovation-projects", "renovation.reports.export_for_job")
