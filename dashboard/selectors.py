"""Reads behind each role's home page (工作台): headline figures of the ledger,
management coverage, renovation, complaints and property management, with the
trend against last month and last year, and the data of the charts.

Every figure is computed by the selector of the list it links to, through
the same scope, so the number on the dashboard is the number on that list.
The whole page is cached per scope, language and day, keyed by the data's
generation (the newest change of every table it reads): a second look costs
two queries, and any change is visible on the next load.

This module is the cache and the door (dashboard()); each section's figures
are computed in dashboard.sections, into the shapes of dashboard.board.
"""

import hashlib
from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from accounts.scoping import user_scope
from communities import selectors as ledger_selectors
from complaints import selectors as complaint_selectors
from core.cache import safe_get, safe_set
from core.db import report_session
from dashboard.board import Dashboard, scope_name
from dashboard.models import MonthlySnapshot
from dashboard.sections import GROUP_LABEL, SECTIONS
from propertymgmt import selectors as property_selectors
from renovation import selectors as renovation_selectors

CACHE_SECONDS = 600


# --- generation and cache ------------------------------------------------------------------


def data_generations() -> dict[str, tuple]:
    """Per section of the dashboard, a value that changes whenever one of its
    figures may: the newest row of every history, log or payment table the
    section reads. One statement of indexed max() lookups for all four, so a
    complaint filed a second ago recomputes the complaint figures only. Each
    app names its own tables (its selectors' generation_columns)."""
    snapshots = [(MonthlySnapshot._meta.db_table, "id")]
    ledger_columns = ledger_selectors.generation_columns() + snapshots
    sections = {
        "ledger": ledger_columns,
        "renovation": ledger_columns + renovation_selectors.generation_columns(),
        "complaints": complaint_selectors.generation_columns(),
        "property": ledger_columns + property_selectors.generation_columns(),
    }
    columns = list(dict.fromkeys(column for section in sections.values() for column in section))
    sql = "SELECT " + ", ".join(f"(SELECT max({column}) FROM {table})" for table, column in columns)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        values = dict(zip(columns, cursor.fetchone(), strict=True))
    return {name: tuple(values[column] for column in section) for name, section in sections.items()}


def dashboard(*, user, today: date | None = None) -> Dashboard:
    """The user's dashboard: each section from the cache unless its data changed."""
    today = today or timezone.localdate()
    scope = user_scope(user)
    board = Dashboard(scope_name=scope_name(user), level=scope.level, today=today)
    if scope.level == "none":
        return board
    child = ledger_selectors.CHILD_LEVEL[scope.level]
    board.group_label = str(GROUP_LABEL[child])
    generations = data_generations()
    for name, compute in SECTIONS.items():
        digest = hashlib.sha1(repr((scope, get_language(), today, generations[name])).encode()).hexdigest()
        key = f"dashboard:v2:{name}:{digest}"
        part = safe_get(key)
        if part is None:
            part = compute_section(compute, board=board, user=user, scope=scope, child=child, today=today)
            safe_set(key, part, CACHE_SECONDS)
        board.merge(part)
    return board


def compute_section(compute, *, board: Dashboard, user, scope, child: str, today: date) -> "Dashboard":
    """One section's figures, in one transaction with PostgreSQL's JIT and
    parallel workers off (core.db.report_session: these aggregates
    run for less time than JIT takes to compile them)."""
    part = Dashboard(scope_name=board.scope_name, level=board.level, today=today, group_label=board.group_label)
    # The whole country's aggregates scan millions of rows: let PostgreSQL use two workers there.
    workers = 2 if scope.level == "all" else 0
    report_session(compute, parallel_workers=workers)(part, user=user, scope=scope, child=child, today=today)
    return part
