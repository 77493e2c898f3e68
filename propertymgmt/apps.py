from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertymgmtConfig(AppConfig):
    name = "propertymgmt"
    verbose_name = _("物业管理")
