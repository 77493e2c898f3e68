from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import register_exporter


class PropertymgmtConfig(AppConfig):
    name = "propertymgmt"
    verbose_name = _("物业管理")

    def ready(self):
        """Tell the platform what it runs for this app (core names no app)."""
        register_exporter("subsidy-payments", "propertymgmt.exports.export_for_job")
