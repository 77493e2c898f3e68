"""Database expressions the models' constraints need."""

from django.db import migrations, models


class CurrentYear(models.Func):
    """This year, evaluated by the database, for CHECK constraints such as
    "year built not in the future".

    PostgreSQL evaluates it on every write. SQLite forbids non-deterministic
    functions in CHECK constraints, so the embedded demo database gets a fixed
    far bound there and relies on the model validator for the exact year.
    """

    output_field = models.IntegerField()
    arity = 0

    def as_sql(self, compiler, connection, **extra_context):
        return "CAST(EXTRACT(YEAR FROM CURRENT_DATE) AS integer)", []

    def as_sqlite(self, compiler, connection, **extra_context):
        return "2100", []


class PostgresOnlySQL(migrations.RunSQL):
    """SQL that only PostgreSQL runs (extensions, GIN indexes); the embedded
    SQLite demo database skips it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
