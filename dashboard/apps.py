from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import register_exporter


class DashboardConfig(AppConfig):
    """The home page of each role and the report workbook: reads across the
    ledger, renovation, property management and complaints."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = _("工作台与报表")

    def ready(self):
        """Tell the platform what it runs for this app (core names no app)."""
        register_exporter("workbook", "dashboard.workbook.export_for_job")
