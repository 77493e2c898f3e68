"""Schemathesis against the served OpenAPI schema: every operation, as a
district official and as street staff, with ids that exist (in and out of
the caller's scope) mixed into the generated ones.

What must hold for every generated request: no 5xx, every status code is one
the schema documents, every body matches the schema of its status code, and
every content type is the documented one.

Bounded on purpose (a few examples per operation, no shrinking, no stateful
links), so it runs in `make test` on a small machine. Data is seeded per
operation and rolled back after it, so a DELETE example cannot starve the
operations that follow of their rows.
"""

from datetime import date
from decimal import Decimal
from urllib.parse import unquote

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import UserRateThrottle

from complaints import services as complaint_services
from complaints.models import Category
from oldestate.wsgi import application
from propertymgmt.models import OwnersVote, SubsidyPayment, SubsidyPeriod
from renovation.models import CatalogueItem, ConsultationMeeting, FundingLine, ProgressReport
from tests.factories import RightsUnitFactory
from tests.propertymgmt.conftest import ContractFactory
from tests.renovation.conftest import AnnualPlanFactory, FiveYearPlanFactory, ProjectFactory, WorkItemFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
# Explicit examples and generated cases; the coverage phase (every boundary
# of every field) and stateful links are out of this time budget.
schema.config.phases.update(phases=["examples", "fuzzing"])

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.specs.openapi.checks.status_code_conformance,
    schemathesis.specs.openapi.checks.content_type_conformance,
    schemathesis.specs.openapi.checks.response_schema_conformance,
]

# Ids that exist, by the first path segment after /api/v1/ and by body field;
# filled by the `seeded` fixture for the running test.
KNOWN = {"paths": {}, "fields": {}}


def _resource(operation) -> str:
    return operation.path.strip("/").split("/")[2]


@schema.hook
def filter_path_parameters(context, path_parameters):
    """An id that is empty or holds a "/" makes a URL of no operation at all
    (Django's resolver answers it, not the API): keep ids that stay one path segment."""
    return all(str(value) and "/" not in unquote(str(value)) for value in (path_parameters or {}).values())


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    ids = KNOWN["paths"].get(_resource(context.operation))
    if not ids or not path_parameters or "id" not in path_parameters:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.sampled_from(ids).map(lambda i: {**path_parameters, "id": i}))


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    related = {name: KNOWN["fields"][name] for name in body if name in KNOWN["fields"]}
    if not related:
        return st.just(body)
    known = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in related.items()})
    return st.one_of(st.just(body), known.map(lambda values: {**body, **values}))


@pytest.fixture
def seeded(world):
    """The shared world plus a few rows of every kind the API serves, in
    street A and in street B, so generated ids hit real rows on both sides
    of the street-staff boundary."""
    # Ledger counts are cached per data generation; ids of an earlier test may recur.
    cache.clear()
    plan = FiveYearPlanFactory(district=world.district)
    annual = AnnualPlanFactory(plan=plan, year=2024)
    projects = [
        ProjectFactory(annual_plan=annual, estate=world.estate_a1, stage="tender", created_by=world.staff_a),
        ProjectFactory(annual_plan=annual, estate=world.estate_b1, stage="construction", created_by=world.staff_b),
    ]
    elevator = CatalogueItem.objects.get(name="加装电梯")
    items = [WorkItemFactory(project=p, item=elevator) for p in projects]
    funding = [
        FundingLine.objects.create(project=p, source="central", work_item=w, planned=Decimal("1000"))
        for p, w in zip(projects, items, strict=True)
    ]
    consultations = [
        ConsultationMeeting.objects.create(project=p, held_on=date(2024, 3, 1), recorded_by=world.staff_a)
        for p in projects
    ]
    reports = [
        ProgressReport.objects.create(
            project=projects[1], reported_on=date(2024, 6, 1), percent=10, reported_by=world.staff_b
        )
    ]
    units = [RightsUnitFactory(district=world.district, street=s) for s in (world.street_a, world.street_b)]
    contracts = [ContractFactory(estate=e) for e in (world.estate_a1, world.estate_b1)]
    votes = [
        OwnersVote.objects.create(
            estate=e,
            subject="hire_company",
            title="选聘物业",
            opens_on=date(2024, 1, 1),
            closes_on=date(2024, 2, 1),
            quorum="2/3",
            threshold="1/2",
            threshold_inclusive=False,
        )
        for e in (world.estate_a1, world.estate_b1)
    ]
    period = SubsidyPeriod.objects.create(
        district=world.district, starts_on=date(2024, 1, 1), ends_on=date(2024, 3, 31), label="2024年第1季度"
    )
    payments = [
        SubsidyPayment.objects.create(
            period=period,
            tranche="advance",
            estate=e,
            street=e.community.street,
            management_mode="company",
            area=Decimal("1000"),
            rate=Decimal("1.20"),
            months=3,
            share=Decimal("0.700"),
            amount=Decimal("210"),
        )
        for e in (world.estate_a1, world.estate_b1)
    ]
    category = Category.objects.get(code="common_area")
    places = [
        {"estate": world.estate_a1},
        {"estate": world.estate_b1},
        {"street": world.street_a, "address": "和平里东街1号"},
    ]
    cases = [
        complaint_services.file_complaint(
            filing=complaint_services.Filing(
                category=category,
                description="楼道被杂物堵塞",
                reporter_name="李秀英",
                reporter_phone=f"1381234567{n}",
                consent=True,
                **place,
            )
        )
        for n, place in enumerate(places)
    ]
    estates = [world.estate_a1, world.estate_a2, world.estate_b1, world.estate_other_district]
    ids = lambda rows: [row.pk for row in rows]  # noqa: E731
    KNOWN["paths"] = {
        "estates": ids(estates),
        "buildings": list(world.estate_a1.buildings.values_list("pk", flat=True))
        + list(world.estate_b1.buildings.values_list("pk", flat=True)),
        "street-offices": ids([world.street_a, world.street_b]),
        "communities": ids([world.community_a1, world.community_b1]),
        "rights-units": ids(units),
        "complaints": ids(cases),
        "property-companies": ids([c.company for c in contracts]),
        "property-contracts": ids(contracts),
        "owners-votes": ids(votes),
        "subsidy-payments": ids(payments),
        "renovation-projects": ids(projects),
        "renovation-catalogue": [elevator.pk],
        "renovation-work-items": ids(items),
        "renovation-funding": ids(funding),
        "renovation-consultations": ids(consultations),
        "renovation-progress": ids(reports),
    }
    KNOWN["fields"] = {
        "estate": ids(estates),
        "community": ids([world.community_a1, world.community_b1]),
        "project": ids(projects),
        "item": [elevator.pk],
        "work_item": ids(items),
        "annual_plan": [annual.pk],
        "successor": ids(units),
        "fund_holder_unit": ids(units),
    }
    yield world
    KNOWN["paths"], KNOWN["fields"] = {}, {}


@pytest.fixture
def wsgi_in_test_transaction():
    """Schemathesis calls the WSGI application itself; at the end of each
    request Django closes a connection whose autocommit differs from the
    settings, which inside the test's transaction is every connection. Keep
    it open, as Django's own test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["official", "staff_a"])
def caller(request, seeded, wsgi_in_test_transaction, monkeypatch):
    """Token headers of one role; API throttling lifted for the run."""
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": None})
    user = getattr(seeded, request.param)
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, caller):
    case.call_and_validate(headers=caller, checks=CHECKS)
