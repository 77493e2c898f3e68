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


@models.CharField.register_lookup
@models.TextField.register_lookup
class ILikeContains(models.lookups.IContains):
    """`field__ilike=value`: case-insensitive substring match written as
    PostgreSQL's ILIKE, which trigram indexes serve (Django's icontains is
    UPPER(field) LIKE UPPER(value), which they cannot). Elsewhere it is icontains."""

    lookup_name = "ilike"

    def as_postgresql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql}::text ILIKE {rhs_sql}", [*lhs_params, *rhs_params]

    def as_sql(self, compiler, connection):
        return models.lookups.IContains(self.lhs, self.rhs).as_sql(compiler, connection)


def substring_q(field: str, value: str) -> models.Q:
    """A substring search that stays cheap on a national table: plain LIKE for
    Chinese and digits (they have no case), ILIKE when Latin letters appear."""
    if any(ch.isascii() and ch.isalpha() for ch in value):
        return models.Q(**{f"{field}__ilike": value})
    return models.Q(**{f"{field}__contains": value})


class Pinyin(models.Func):
    """A text column in pinyin order (安, 北, 东, 和, 交 …), as Chinese clerks
    expect a list of names to be sorted: PostgreSQL's ICU collation
    (settings.PINYIN_COLLATION); other databases sort by code point."""

    arity = 1
    output_field = models.CharField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        from django.conf import settings

        sql, params = compiler.compile(self.source_expressions[0])
        collation = settings.PINYIN_COLLATION
        if not collation:
            return sql, params
        return f'{sql} COLLATE "{collation}"', params


def pinyin_ordering(ordering):
    """Replace "name"/"-name" in an ordering with its pinyin-ordered expression."""
    mapped = []
    for term in ordering:
        if isinstance(term, str) and term.lstrip("-") == "name":
            expression = Pinyin(models.F("name"))
            mapped.append(expression.desc() if term.startswith("-") else expression.asc())
        else:
            mapped.append(term)
    return mapped
