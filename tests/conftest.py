"""Shared fixtures: a district with two streets, and one user per role.

district 东城区
├── street A (和平里街道) ── community A1 ── estate_a1
│                         └─ community A2 ── estate_a2
└── street B (龙潭街道)  ── community B1 ── estate_b1
"""

import difflib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    DistrictFactory,
    EstateFactory,
    StreetFactory,
    UserFactory,
)


@dataclass
class World:
    district: object
    other_district: object
    street_a: object
    street_b: object
    community_a1: object
    community_a2: object
    community_b1: object
    estate_a1: object
    estate_a2: object
    estate_b1: object
    estate_other_district: object
    official: object
    staff_a: object
    staff_b: object
    worker_a1: object
    auditor: object
    admin: object


@pytest.fixture
def world(db):
    district = DistrictFactory(name="东城区", code="110101")
    other = DistrictFactory(name="西城区", code="110102")
    street_a = StreetFactory(district=district, name="和平里街道", code="110101001")
    street_b = StreetFactory(district=district, name="龙潭街道", code="110101002")
    street_other = StreetFactory(district=other, name="德胜街道", code="110102001")
    a1 = CommunityFactory(street=street_a, name="交林社区", code="110101001001")
    a2 = CommunityFactory(street=street_a, name="青年湖社区", code="110101001002")
    b1 = CommunityFactory(street=street_b, name="板厂南里社区", code="110101002001")
    other_community = CommunityFactory(street=street_other, name="六铺炕社区", code="110102001001")
    estate_a1 = EstateFactory(community=a1, name="和平里七区", year_built=1985)
    estate_a2 = EstateFactory(community=a2, name="青年湖西里", year_built=1998)
    estate_b1 = EstateFactory(community=b1, name="板厂南里", year_built=1979)
    estate_other = EstateFactory(community=other_community, name="六铺炕北里", year_built=1990)
    for estate in (estate_a1, estate_a2, estate_b1, estate_other):
        BuildingFactory(estate=estate, number="1号楼")
    return World(
        district=district,
        other_district=other,
        street_a=street_a,
        street_b=street_b,
        community_a1=a1,
        community_a2=a2,
        community_b1=b1,
        estate_a1=estate_a1,
        estate_a2=estate_a2,
        estate_b1=estate_b1,
        estate_other_district=estate_other,
        official=UserFactory(username="official", role=Role.DISTRICT_OFFICIAL, district=district),
        staff_a=UserFactory(username="staff_a", role=Role.STREET_STAFF, street=street_a),
        staff_b=UserFactory(username="staff_b", role=Role.STREET_STAFF, street=street_b),
        worker_a1=UserFactory(username="worker_a1", role=Role.COMMUNITY_WORKER, community=a1),
        auditor=UserFactory(username="auditor", role=Role.AUDITOR, district=district),
        admin=UserFactory(username="admin", is_superuser=True, is_staff=True),
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    return logged_in


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real password hashing costs ~0.3 s a user; tests need it correct, not slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Data migrations that seed reference data (categories, calendars, catalogues, rules as data).
SEED_MIGRATIONS = (
    "complaints.migrations.0002_seed_categories_calendar",
    "propertymgmt.migrations.0003_rules_as_data",
    "renovation.migrations.0002_seed_catalogue",
)


@pytest.fixture(autouse=True)
def reference_data(request):
    """Transactional tests (live server, real worker) flush every table when they end,
    the rows data migrations seeded included; later transactional tests would find
    no complaint categories or vote thresholds. Seed them again (idempotently)
    before each such test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    if not transactional:
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module in SEED_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Text messages go to a list in tests (core.sms.LocmemBackend), emptied per test."""
    from core.sms import LocmemBackend

    settings.SMS_BACKEND = "core.sms.LocmemBackend"
    LocmemBackend.outbox.clear()
    return LocmemBackend.outbox


@pytest.fixture(scope="session", autouse=True)
def collected_static(django_db_blocker):
    """Pages are rendered with the production static storage (hashed names):
    collect once per session, so the pages load the current JS and CSS."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread on the Redis broker the settings name."""
    from celery.contrib.testing.worker import start_worker

    from oldestate.celery import app

    app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def broker_unreachable():
    """Point Celery at a port where nothing listens, as when Redis is down,
    and put the real broker back afterwards."""
    from oldestate.celery import app

    original = app.conf.broker_url

    def reset_pools():
        # Forget the app's cached pools (as Celery does after a fork); kombu
        # keeps one pool per broker address, so the real one is reused after.
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        yield
    finally:
        app.conf.broker_url = original
        reset_pools()


# --- Query counts ----------------------------------------------------------------------------
#
# One way to assert how many SQL statements something costs, which prints every
# statement when it fails (as Zulip's assert_database_query_count does), so a
# failure shows the query that crept in, not only two numbers:
#
#     with queries_at_most(8):              # a ceiling (or queries_exactly(7): a pinned count)
#         client.get(url)
#
#     small = counted(lambda: client.get(url))
#     ...add rows...
#     same_query_count(small, lambda: client.get(url))   # the count does not grow with the data
#
# Import them from tests.conftest, or take the `assert_queries` fixture.


@dataclass
class Counted:
    """What one measured call ran: its statements (in order) and what it returned."""

    statements: list[str]
    result: Any = None
    label: str = ""

    @property
    def count(self) -> int:
        return len(self.statements)

    def __len__(self) -> int:
        return len(self.statements)

    def numbered(self) -> str:
        return "\n".join(f"{n:3}. {sql}" for n, sql in enumerate(self.statements, 1))


def _statements(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def counted(fn: Callable[[], Any], label: str = "") -> Counted:
    """Run `fn` and record the statements it sends to the database."""
    with CaptureQueriesContext(connection) as context:
        result = fn()
    return Counted(_statements(context), result, label)


@contextmanager
def _assert_count(expected: int, *, at_most: bool):
    with CaptureQueriesContext(connection) as context:
        yield context
    run = Counted(_statements(context))
    if (run.count > expected) if at_most else (run.count != expected):
        bound = "at most " if at_most else ""
        pytest.fail(f"{run.count} queries, expected {bound}{expected}:\n{run.numbered()}", pytrace=False)


def queries_at_most(expected: int):
    """Context manager: the block sends at most `expected` statements. Yields
    Django's CaptureQueriesContext (`.captured_queries` for checks of the SQL)."""
    return _assert_count(expected, at_most=True)


def queries_exactly(expected: int):
    """Context manager: the block sends exactly `expected` statements."""
    return _assert_count(expected, at_most=False)


def same_query_count(*runs: "Counted | Callable[[], Any]", why: str = "") -> int:
    """Every run sends the same number of statements: a Counted measured before
    (say, before rows were added), or a callable measured now. Returns the count.
    On failure prints each run's statements and the difference to the first."""
    measured = [run if isinstance(run, Counted) else counted(run) for run in runs]
    assert len(measured) >= 2, "same_query_count compares two runs or more"
    counts = [run.count for run in measured]
    if len(set(counts)) == 1:
        return counts[0]
    first = measured[0]
    parts = [f"query counts differ{f' ({why})' if why else ''}: {counts}"]
    for index, run in enumerate(measured, 1):
        parts.append(f"--- run {index}{f' [{run.label}]' if run.label else ''}: {run.count} queries\n{run.numbered()}")
        if index > 1 and run.count != first.count:
            diff = difflib.unified_diff(first.statements, run.statements, "run 1", f"run {index}", lineterm="", n=0)
            parts.append("\n".join(diff))
    pytest.fail("\n".join(parts), pytrace=False)


@pytest.fixture
def assert_queries():
    """The query-count helpers as a fixture: assert_queries.at_most(n), .exactly(n),
    .counted(fn), .same(*runs)."""

    return SimpleNamespace(at_most=queries_at_most, exactly=queries_exactly, counted=counted, same=same_query_count)
