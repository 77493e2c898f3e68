from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertymgmtConfig(AppConfig):
    name = "propertymgmt"
    verbose_name = _("物业管理")

    def ready(self):
        # Large subsidy payment lists go through the shared background export.
        from core.exports import EXPORTERS
        from propertymgmt.exports import EXPORT_KIND

        EXPORTERS.setdefault(EXPORT_KIND, "propertymgmt.exports.export_for_job")
