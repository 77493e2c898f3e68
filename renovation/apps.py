from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenovationConfig(AppConfig):
    name = "renovation"
    verbose_name = _("老旧小区改造")

    def ready(self):
        # Register the large project-report export with the shared background
        # export machinery (core.exports runs it through the requester's scope).
        from core.exports import EXPORTERS
        from renovation.reports import EXPORT_KIND

        EXPORTERS.setdefault(EXPORT_KIND, "renovation.reports.export_for_job")
