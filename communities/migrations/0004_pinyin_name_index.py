"""The ledger's default order, names in pinyin, served from a covering index
(PostgreSQL with ICU): a deep page's ids come from the index alone."""

from django.db import migrations

INDEX = "estate_name_pinyin_idx"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'zh-x-icu'")
        if cursor.fetchone() is None:
            return  # no ICU: names sort by code point (settings.PINYIN_COLLATION = "")
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON communities_estate ((name COLLATE "zh-x-icu"), id)'
            " INCLUDE (year_built, management_mode, community_id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("communities", "0003_ledger_indexes")]

    operations = [migrations.RunPython(create, drop)]
