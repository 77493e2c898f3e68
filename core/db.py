"""Database expressions the models' constraints need, and the session settings reports run with."""

from django.db import connection, migrations, models


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


def report_session(function=None, *, transactional=True, parallel_workers: int = 0):
    """Run a report's statements with JIT compilation and parallel workers
    off. Measured at national scale on the 2-core server: the year's totals
    take 0.64 s this way and 1.2–1.9 s with PostgreSQL's defaults (JIT
    compiles for longer than these aggregates run, and parallel workers fight
    the web workers for the same two cores).

    `parallel_workers` lets a whole-country aggregate use that many workers:
    scanning a million rows, two workers halve it (0.75 → 0.38 s measured),
    and only the few users who see the whole country ever run one.

    Pages set them for one transaction (SET LOCAL). A long export sets them
    for the session and resets them after, outside a transaction, so a
    background job's progress stays visible while it writes."""
    import functools

    from django.db import transaction

    settings_sql = ("jit = off", f"max_parallel_workers_per_gather = {int(parallel_workers)}")

    def decorate(inner):
        @functools.wraps(inner)
        def wrapper(*args, **kwargs):
            if connection.vendor != "postgresql":
                return inner(*args, **kwargs)
            if transactional:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        for setting in settings_sql:
                            cursor.execute(f"SET LOCAL {setting}")
                    return inner(*args, **kwargs)
            with connection.cursor() as cursor:
                for setting in settings_sql:
                    cursor.execute(f"SET {setting}")
            try:
                return inner(*args, **kwargs)
            finally:
                if not connection.in_atomic_block or not connection.needs_rollback:
                    with connection.cursor() as cursor:
                        cursor.execute("RESET jit; RESET max_parallel_workers_per_gather")

        return wrapper

    return decorate(function) if function is not None else decorate
