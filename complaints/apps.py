from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import register_exporter, register_purge_hook


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("物业投诉调解")

    def ready(self):
        """Tell the platform what it runs for this app (core names no app)."""
        register_exporter("complaints", "complaints.excel.export_for_job")
        register_purge_hook("complaints.services.purge_held_photos")
        # Property assessments deduct the complaints upheld against a company;
        # propertymgmt sits below this app, so this app hands it the count.
        from complaints.selectors import upheld_counts_by_company
        from propertymgmt.services import provide_upheld_counts

        provide_upheld_counts(upheld_counts_by_company)
