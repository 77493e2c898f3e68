"""Substring search on estate names and addresses (中文名称任意片段) stays fast
at national scale through trigram GIN indexes (PostgreSQL only)."""

from django.db import migrations

from core.db import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]

    operations = [
        PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop),
        PostgresOnlySQL(
            "CREATE INDEX estate_name_trgm ON communities_estate USING gin (name gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS estate_name_trgm",
        ),
        PostgresOnlySQL(
            "CREATE INDEX estate_address_trgm ON communities_estate USING gin (address gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS estate_address_trgm",
        ),
        PostgresOnlySQL(
            "CREATE INDEX rights_unit_name_trgm ON communities_propertyrightsunit USING gin (name gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS rights_unit_name_trgm",
        ),
    ]
