"""Every property page, API endpoint and export is scoped: 404 outside, 403 without the right."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from propertymgmt import services
from propertymgmt.models import CommitteeStage, OwnersVote, SubsidyPayment, VoteSubject
from tests.conftest import counted, queries_at_most, same_query_count
from tests.excel import read_xlsx
from tests.propertymgmt.conftest import ContractFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world, company):
    contract_a = ContractFactory(estate=world.estate_a1, company=company)
    contract_b = ContractFactory(estate=world.estate_b1, company=company)
    building = world.estate_a1.buildings.first()
    homes = [HouseholdFactory(building=building) for _ in range(3)]
    vote_a = services.open_vote(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        subject=VoteSubject.FUND_USE,
        title="更换水泵",
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 1, 31),
    )
    HouseholdFactory(building=world.estate_b1.buildings.first())
    vote_b = services.open_vote(
        user=world.staff_b,
        estate_id=world.estate_b1.pk,
        subject=VoteSubject.OTHER,
        title="龙潭表决",
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 1, 31),
    )
    services.save_committee(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        data={"stage": CommitteeStage.PREPARATION, "preparation_due_on": timezone.localdate() - timedelta(days=3)},
    )
    period = services.ensure_period(district_id=world.district.pk, day=timezone.localdate())
    services.run_advance(period_id=period.pk)
    return {
        "contract_a": contract_a,
        "contract_b": contract_b,
        "vote_a": vote_a,
        "vote_b": vote_b,
        "homes": homes,
        "period": period,
    }


LIST_PAGES = [
    ("propertymgmt:home", ()),
    ("propertymgmt:company_list", ()),
    ("propertymgmt:contract_list", ()),
    ("propertymgmt:vote_list", ()),
    ("propertymgmt:subsidy_periods", ()),
]


@pytest.mark.parametrize("user", ["official", "staff_a", "staff_b", "worker_a1", "auditor"])
@pytest.mark.parametrize(("name", "args"), LIST_PAGES)
def test_list_pages_open_for_every_role(world, data, client_for, user, name, args):
    assert client_for(getattr(world, user)).get(reverse(name, args=args)).status_code == 200


def test_anonymous_users_are_sent_to_login(world, data, client):
    for name, args in LIST_PAGES:
        assert client.get(reverse(name, args=args)).status_code == 302


def test_staff_sees_only_own_street_contracts_and_overdue(world, data, client_for):
    page = client_for(world.staff_b).get(reverse("propertymgmt:contract_list")).content.decode()
    assert "板厂南里" in page and "和平里七区" not in page
    home = client_for(world.staff_b).get(reverse("propertymgmt:home")).content.decode()
    assert "和平里七区" not in home
    assert "和平里七区" in client_for(world.staff_a).get(reverse("propertymgmt:home")).content.decode()


@pytest.mark.parametrize(
    ("user", "status"), [("official", 200), ("staff_a", 200), ("worker_a1", 200), ("auditor", 200), ("staff_b", 404)]
)
def test_vote_detail_scoping(world, data, client_for, user, status):
    url = reverse("propertymgmt:vote_detail", args=[data["vote_a"].pk])
    assert client_for(getattr(world, user)).get(url).status_code == status


def test_auditor_cannot_key_in_ballots(world, data, client_for):
    url = reverse("propertymgmt:vote_detail", args=[data["vote_a"].pk])
    response = client_for(world.auditor).post(url, {"household": data["homes"][0].pk, "choice": "agree"})
    assert response.status_code == 403
    assert client_for(world.staff_b).post(url, {"close": "1"}).status_code == 404


def test_staff_keys_in_a_paper_ballot_and_closes(world, data, client_for):
    client = client_for(world.staff_a)
    url = reverse("propertymgmt:vote_detail", args=[data["vote_a"].pk])
    client.post(url, {"household": data["homes"][0].pk, "choice": "agree"})
    client.post(url, {"close": "1"})
    vote = OwnersVote.objects.get(pk=data["vote_a"].pk)
    assert vote.status == "closed" and vote.participating_heads == 1 and vote.passed is False


def test_owner_votes_online_with_a_code(world, data, client):
    codes = services.issue_codes(user=world.staff_a, vote_id=data["vote_a"].pk)
    url = reverse("propertymgmt:vote_cast", args=[data["vote_a"].pk])
    response = client.post(url, {"code": codes[data["homes"][1].pk], "choice": "agree"})
    assert "已记录" in response.content.decode()
    again = client.post(url, {"code": codes[data["homes"][1].pk], "choice": "agree"})
    assert "已使用" in again.content.decode()


@pytest.mark.parametrize(("user", "status"), [("staff_a", 200), ("staff_b", 404), ("auditor", 403)])
def test_contract_end_page_scoping(world, data, client_for, user, status):
    url = reverse("propertymgmt:contract_end", args=[data["contract_a"].pk])
    assert client_for(getattr(world, user)).get(url).status_code == status


@pytest.mark.parametrize(
    ("user", "status"), [("official", 200), ("staff_a", 200), ("worker_a1", 200), ("auditor", 403)]
)
def test_contract_create_page_rights(world, data, client_for, user, status):
    assert client_for(getattr(world, user)).get(reverse("propertymgmt:contract_create")).status_code == status


@pytest.mark.parametrize(("user", "status"), [("official", 200), ("staff_a", 403), ("auditor", 403)])
def test_only_district_registers_companies(world, data, client_for, user, status):
    assert client_for(getattr(world, user)).get(reverse("propertymgmt:company_create")).status_code == status


def test_payments_page_shows_only_the_users_street(world, data, client_for):
    url = reverse("propertymgmt:subsidy_payments", args=[data["period"].pk])
    page_a = client_for(world.staff_a).get(url).content.decode()
    assert "和平里七区" in page_a and "板厂南里" not in page_a
    assert "板厂南里" in client_for(world.official).get(url).content.decode()


@pytest.mark.parametrize("user", ["staff_a", "auditor", "worker_a1"])
def test_only_officials_approve_payments(world, data, client_for, user):
    url = reverse("propertymgmt:subsidy_payments", args=[data["period"].pk])
    assert client_for(getattr(world, user)).post(url, {"tranche": "advance"}).status_code == 403
    assert not SubsidyPayment.objects.filter(status="approved").exists()


def test_official_approves_one_street(world, data, client_for):
    url = reverse("propertymgmt:subsidy_payments", args=[data["period"].pk]) + f"?street={world.street_a.pk}"
    client_for(world.official).post(url, {"tranche": "advance"})
    approved = set(SubsidyPayment.objects.filter(status="approved").values_list("street", flat=True))
    assert approved == {world.street_a.pk}


def test_payment_page_queries_are_pinned(world, data, client_for):
    client = client_for(world.official)
    url = reverse("propertymgmt:subsidy_payments", args=[data["period"].pk])
    client.get(url)
    with queries_at_most(12):
        client.get(url)


def test_other_district_period_is_not_found(world, data, client_for):
    other = services.ensure_period(district_id=world.other_district.pk, day=date(2026, 1, 1))
    for name in ("propertymgmt:subsidy_payments", "propertymgmt:subsidy_export"):
        assert client_for(world.staff_a).get(reverse(name, args=[other.pk])).status_code == 404


def test_export_has_title_totals_and_only_scoped_rows(world, data, client_for):
    client = client_for(world.staff_a)
    url = reverse("propertymgmt:subsidy_export", args=[data["period"].pk])
    client.get(url)
    with queries_at_most(8):
        response = client.get(url)
    assert response.status_code == 200
    sheet = read_xlsx(b"".join(response.streaming_content)).active
    flat = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "物业管理补贴发放表" in str(flat[0][0])
    estates = {row[2] for row in flat[3:] if row and isinstance(row[0], int)}
    assert estates == {"和平里七区", "青年湖西里"}
    total_row = next(row for row in flat if row and row[0] == "合计")
    assert total_row[11] == pytest.approx(
        float(sum(SubsidyPayment.objects.filter(street=world.street_a).values_list("amount", flat=True)))
    )


def test_community_worker_export_is_refused_outside_scope(world, data, client_for):
    other = services.ensure_period(district_id=world.other_district.pk, day=date(2026, 1, 1))
    assert client_for(world.worker_a1).get(reverse("propertymgmt:subsidy_export", args=[other.pk])).status_code == 404


# --- API ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "contracts", "votes", "payments"),
    [("official", 2, 2, 3), ("staff_a", 1, 1, 2), ("staff_b", 1, 1, 1), ("worker_a1", 1, 1, 1), ("auditor", 2, 2, 3)],
)
def test_api_lists_are_scoped(world, data, client_for, user, contracts, votes, payments):
    client = client_for(getattr(world, user))
    assert client.get("/api/v1/property-contracts/").json()["count"] == contracts
    assert client.get("/api/v1/owners-votes/").json()["count"] == votes
    assert client.get(f"/api/v1/subsidy-payments/?period={data['period'].pk}").json()["count"] == payments
    assert client.get("/api/v1/property-companies/").json()["count"] == 1


def test_api_detail_outside_scope_is_404(world, data, client_for):
    client = client_for(world.staff_a)
    assert client.get(f"/api/v1/property-contracts/{data['contract_b'].pk}/").status_code == 404
    assert client.get(f"/api/v1/owners-votes/{data['vote_b'].pk}/").status_code == 404
    assert client.get(f"/api/v1/owners-votes/{data['vote_a'].pk}/").status_code == 200


def test_api_is_read_only(world, data, client_for):
    response = client_for(world.official).post("/api/v1/property-companies/", {"name": "x"})
    assert response.status_code == 405


def test_api_other_district_company_is_hidden(world, data, client_for):
    from tests.propertymgmt.conftest import CompanyFactory

    other = CompanyFactory(district=world.other_district)
    assert client_for(world.staff_a).get(f"/api/v1/property-companies/{other.pk}/").status_code == 404


def test_api_payment_list_queries_are_pinned(world, data, client_for):
    client = client_for(world.official)
    client.get("/api/v1/subsidy-payments/")
    with queries_at_most(6):
        client.get("/api/v1/subsidy-payments/")


@pytest.mark.parametrize(("user", "status"), [("official", 200), ("staff_a", 200), ("auditor", 403)])
def test_vote_create_page_rights(world, data, client_for, user, status):
    assert client_for(getattr(world, user)).get(reverse("propertymgmt:vote_create")).status_code == status


@pytest.mark.parametrize(("user", "status"), [("staff_a", 200), ("staff_b", 404), ("auditor", 403)])
def test_vote_codes_scoping(world, data, client_for, user, status):
    url = reverse("propertymgmt:vote_codes", args=[data["vote_a"].pk])
    assert client_for(getattr(world, user)).post(url).status_code == status


@pytest.mark.parametrize("user", ["staff_a", "worker_a1", "auditor"])
def test_only_officials_run_subsidies_or_set_rates(world, data, client_for, user):
    from propertymgmt.models import SubsidyRate

    client = client_for(getattr(world, user))
    assert client.post(reverse("propertymgmt:subsidy_run")).status_code == 403
    client.post(reverse("propertymgmt:subsidy_rate_set"), {"mode": "owners", "rate": "9.99"})
    assert not SubsidyRate.objects.filter(rate=Decimal("9.99")).exists()


def test_official_sets_a_rate_and_runs_the_quarter(world, data, client_for):
    from propertymgmt.models import SubsidyRate

    client = client_for(world.official)
    client.post(reverse("propertymgmt:subsidy_rate_set"), {"mode": "owners", "rate": "2.40"})
    assert SubsidyRate.objects.get(district=world.district, management_mode="owners").rate == Decimal("2.40")
    response = client.post(reverse("propertymgmt:subsidy_run"))
    assert response.status_code == 302


@pytest.mark.parametrize(("user", "refused"), [("staff_b", True), ("auditor", True), ("worker_a1", True)])
def test_order_out_refused_outside_scope_or_without_the_right(world, data, client_for, user, refused):
    from propertymgmt.models import ExitOrder

    client_for(getattr(world, user)).post(
        reverse("propertymgmt:order_out"),
        {"company": data["contract_a"].company_id, "street": world.street_a.pk, "reason": "x"},
    )
    assert ExitOrder.objects.exists() is not refused


@pytest.mark.parametrize(("user", "status"), [("official", 200), ("staff_a", 403), ("worker_a1", 403)])
def test_only_district_edits_companies(world, data, client_for, user, status):
    url = reverse("propertymgmt:company_edit", args=[data["contract_a"].company_id])
    assert client_for(getattr(world, user)).get(url).status_code == status


def test_official_corrects_a_company_and_a_wrong_code_is_named(world, data, client_for):
    company = data["contract_a"].company
    url = reverse("propertymgmt:company_edit", args=[company.pk])
    fields = {"name": company.name, "credit_code": "91110000600037341N", "contact_person": "王经理"}
    response = client_for(world.official).post(url, fields)
    assert response.status_code == 200 and "校验位" in response.content.decode()
    client_for(world.official).post(url, {**fields, "credit_code": "91110000600037341L"})
    company.refresh_from_db()
    assert company.credit_code == "91110000600037341L"


@pytest.mark.parametrize(
    "name",
    [
        "propertymgmt:home",
        "propertymgmt:company_list",
        "propertymgmt:contract_list",
        "propertymgmt:vote_list",
        "propertymgmt:subsidy_periods",
    ],
)
def test_list_queries_do_not_grow_with_rows(world, data, client_for, name):
    """A fixed number of queries per page, however many rows it shows (no query per row)."""
    client = client_for(world.official)
    url = reverse(name)
    client.get(url)
    before = counted(lambda: client.get(url))
    for estate in (world.estate_a2, world.estate_other_district):
        ContractFactory(estate=estate)
    services.save_committee(
        user=world.official,
        estate_id=world.estate_a2.pk,
        data={"stage": CommitteeStage.PREPARATION, "preparation_due_on": timezone.localdate() - timedelta(days=9)},
    )
    count = same_query_count(before, lambda: client.get(url), why="two contracts and a committee added")
    assert count <= 12, before.numbered()


def test_household_list_queries_are_pinned(world, client_for):
    for _ in range(5):
        HouseholdFactory(building=world.estate_a1.buildings.first())
    client = client_for(world.staff_a)
    url = reverse("communities:household_list", args=[world.estate_a1.pk])
    client.get(url)
    with queries_at_most(10):
        client.get(url)


@pytest.mark.django_db(transaction=True)
def test_large_payment_export_runs_on_the_worker_in_the_requesters_scope(
    rules, world, client_for, settings, tmp_path, celery_worker
):
    import time

    from core.models import ExportJob

    settings.EXPORT_SYNC_MAX_ROWS = 1
    settings.MEDIA_ROOT = tmp_path
    period = services.ensure_period(district_id=world.district.pk, day=timezone.localdate())
    services.run_advance(period_id=period.pk)
    client = client_for(world.staff_a)
    response = client.get(reverse("propertymgmt:subsidy_export", args=[period.pk]))
    assert response.status_code == 302
    job = ExportJob.objects.get()
    for _ in range(100):
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        time.sleep(0.1)
    assert job.status == ExportJob.Status.DONE, job.error
    download = client.get(reverse("core:export_download", args=[job.pk]))
    sheet = read_xlsx(b"".join(download.streaming_content)).active
    estates = {row[2] for row in sheet.iter_rows(min_row=4, values_only=True) if row and isinstance(row[0], int)}
    assert estates == {"和平里七区", "青年湖西里"}
