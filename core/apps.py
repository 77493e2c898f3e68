from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from core.pinyin import register_sqlite_collation


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("公共")

    def ready(self):
        # The embedded SQLite demo sorts names in pinyin order, as PostgreSQL's ICU does.
        connection_created.connect(register_sqlite_collation, dispatch_uid="core.pinyin")
