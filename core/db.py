"""Database expressions the models' constraints need, and the session settings reports run with."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, migrations, models

from core.pinyin import COLLATION as PINYIN_SQLITE_COLLATION


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
    (settings.PINYIN_COLLATION); on SQLite the "pinyin" collation core.pinyin
    registers on every connection (the same order, from ICU's table)."""

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

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} COLLATE {PINYIN_SQLITE_COLLATION}", params


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


class ExactSum(models.Sum):
    """The sum of a money, area or share column, exact to `places` decimals on both
    databases, so the embedded SQLite demo shows the figures PostgreSQL shows, to the fen.

    PostgreSQL sums `numeric` exactly. SQLite stores a DecimalField as REAL and sums in
    floating point, and Django hands the float back as a 15-digit Decimal
    (`2563282.74000000`, or `1790041.19999999` after enough rows). Here SQLite sums each
    value as an integer number of fen (`CAST(ROUND(x * 100) AS INTEGER)`: integers add
    exactly), and the result is quantized to `places` on both databases.

    `places` is the column's decimal places; a product such as area × rate needs the sum
    of its factors' places (2 + 2 = 4), rounding to the displayed unit happens later
    (core.figures). `default` is what an empty sum gives (0, say) and is applied inside
    this expression, not by wrapping it in Coalesce: the quantizing converter only runs on
    the outermost expression of a column, so keep ExactSum outermost (no Coalesce, no
    arithmetic on top of it in SQL; do that arithmetic in Python on the Decimals).
    """

    def __init__(self, expression, places=2, *, filter=None, default=None, max_digits=28, **extra):
        self.places = int(places)
        self.fallback = None if default is None else Decimal(default)
        super().__init__(
            expression,
            filter=filter,
            output_field=models.DecimalField(max_digits=max_digits, decimal_places=self.places),
            **extra,
        )

    @property
    def empty_result_set_value(self):
        return self.fallback

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return self._with_fallback(sql, params)

    def as_sqlite(self, compiler, connection, **extra_context):
        scale = 10**self.places
        in_fen = self.copy()
        in_fen.template = f"%(function)s(%(distinct)sCAST(ROUND((%(expressions)s) * {scale}) AS INTEGER))"
        sql, params = models.Sum.as_sql(in_fen, compiler, connection, **extra_context)
        # A float again, but one the converter below rounds back to the exact number of
        # fen: exact for totals below 10¹³ 元, and still the right figure should a caller
        # wrap this expression after all.
        return self._with_fallback(f"({sql} / {scale}.0)", params)

    def _with_fallback(self, sql, params):
        if self.fallback is None:
            return sql, params
        # A literal, not a parameter: SQLite binds a Decimal parameter as text.
        return f"COALESCE({sql}, {self.fallback:f})", params

    def convert_value(self, value, expression, connection):
        return _quantized(self.fallback if value is None else value, self.places)


class Quantized(models.Func):
    """A decimal expression (a Subquery of an ExactSum, say) read back exact to `places`
    on both databases, `default` when it is NULL: what ExactSum does for its own sum,
    for an expression that has to be the outermost one instead.

    `Quantized(Subquery(per_estate_exact_sum), default=0)` replaces
    `Coalesce(Subquery(...), Value(Decimal(0)))`, whose SQLite value comes back as
    a 15-digit Decimal (123.450000000000).
    """

    template = "%(expressions)s"

    def __init__(self, expression, places=2, *, default=None, max_digits=28):
        self.places = int(places)
        self.fallback = None if default is None else Decimal(default)
        super().__init__(
            expression, output_field=models.DecimalField(max_digits=max_digits, decimal_places=self.places)
        )

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        if self.fallback is not None:
            sql = f"COALESCE({sql}, {self.fallback:f})"
        return sql, params

    def as_sqlite(self, compiler, connection, **extra_context):
        # Not SQLiteNumericMixin's CAST(… AS NUMERIC): the converter does the work.
        return self.as_sql(compiler, connection, **extra_context)

    def convert_value(self, value, expression, connection):
        return _quantized(self.fallback if value is None else value, self.places)


def _quantized(value, places: int) -> Decimal | None:
    """A database's number as a Decimal of `places` decimals, half up; SQLite's floats are
    read through their shortest repr, so 123.45000000000002 is 123.45."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def named_groups(grouped: models.QuerySet, names: dict, *, order_by=(), required=()) -> list[dict]:
    """The rows of `grouped` (a `values(ids…).annotate(aggregates…)` queryset that
    groups on ids only) with the names and codes of the nodes they are grouped by
    joined on after the grouping, in one statement, as dicts like values() gives.

    `names` maps a prefix to (the grouped id column, a `values("pk", …)` queryset of
    the nodes): {"street": ("street_id", StreetOffice.objects.values("pk", "name",
    "code"))} adds "street__name" and "street__code" to each row (None where the id
    is None; the prefixes in `required` are joined as an INNER JOIN would: a row
    whose node is missing is left out). `order_by` names output columns
    ("street__code", "-n").

    Grouping a few hundred thousand rows on their names and codes as well makes
    PostgreSQL sort them all by text first; grouped on integer ids they go through
    a hash table and only the groups are joined and sorted: 3–6 × faster at
    national scale. Every column keeps its converters (ExactSum's exact decimals on
    SQLite too)."""
    using = grouped.db
    conn = connections[using]
    quote = conn.ops.quote_name
    inner = grouped.order_by().query.get_compiler(using)
    try:
        inner_sql, params = inner.as_sql()
    except EmptyResultSet:  # .none(), or a filter nothing can match: no query, as Django does
        return []
    params = list(params)
    columns = [(f"g.{quote(alias)}", alias, expression) for expression, _sql, alias in inner.select]
    joins = []
    for number, (prefix, (key, queryset)) in enumerate(names.items()):
        compiler = queryset.order_by().query.get_compiler(using)
        sql, more = compiler.as_sql()
        params += more
        table = f"n{number}"
        first = compiler.select[0][2]
        join = "INNER JOIN" if prefix in required else "LEFT JOIN"
        joins.append(f"{join} ({sql}) {table} ON {table}.{quote(first)} = g.{quote(key)}")
        columns += [
            (f"{table}.{quote(alias)}", f"{prefix}__{alias}", expression)
            for expression, _sql, alias in compiler.select[1:]
        ]
    places = {alias: sql for sql, alias, _expression in columns}
    ordering = [f"{places[term.lstrip('-')]}{' DESC' if term.startswith('-') else ''}" for term in order_by]
    sql = f"SELECT {', '.join(sql for sql, _alias, _expression in columns)} FROM ({inner_sql}) g {' '.join(joins)}"
    if ordering:
        sql += " ORDER BY " + ", ".join(ordering)
    converters = [
        (index, [*conn.ops.get_db_converters(expression), *expression.get_db_converters(conn)], expression)
        for index, (_sql, _alias, expression) in enumerate(columns)
    ]
    converters = [(index, found, expression) for index, found, expression in converters if found]
    aliases = [alias for _sql, alias, _expression in columns]
    rows = []
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            if converters:
                row = list(row)
                for index, found, expression in converters:
                    value = row[index]
                    for convert in found:
                        value = convert(value, expression, conn)
                    row[index] = value
            rows.append(dict(zip(aliases, row, strict=True)))
    return rows
