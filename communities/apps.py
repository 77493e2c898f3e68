from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import register_exporter, register_purge_hook


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("小区台账")

    def ready(self):
        """Tell the platform what it runs for this app (core names no app)."""
        register_exporter("ledger", "communities.ledger_excel.export_for_job")
        register_purge_hook("communities.retention.purge_old_uploads")
