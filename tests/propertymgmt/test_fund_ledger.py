"""The maintenance-fund ledger (维修资金台账): accounts whose balance is the sum of their
transactions, never below zero; holder transfers; the 30% top-up rule and its weekly
reminder; the pages, the report, the API; and the estate's old typed facts moved here."""

import importlib
import io
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from communities.models import Estate, RightsUnitStatus
from propertymgmt import selectors, services, tasks
from propertymgmt.models import (
    FundAccount,
    FundAccountHolder,
    FundTransaction,
    FundTransactionKind,
    FundWithdrawal,
    Notice,
    VoteSubject,
)
from tests.conftest import counted, same_query_count
from tests.factories import BuildingFactory, RightsUnitFactory
from tests.propertymgmt.conftest import HouseholdFactory

pytestmark = pytest.mark.django_db

D = Decimal
DAY = date(2026, 1, 5)


def _open(world, estate=None, user=None, **kwargs):
    kwargs.setdefault("holder", FundAccountHolder.CENTRE)
    return services.open_fund_account(
        user=user or world.staff_a, estate_id=(estate or world.estate_a1).pk, opened_on=DAY, **kwargs
    )


def _post(world, account, kind, amount, on=DAY, user=None):
    return services.record_fund_transaction(
        user=user or world.staff_a, account_id=account.pk, kind=kind, amount=D(amount), booked_on=on
    )


def _balance(account):
    return selectors.balance_of([account.pk])


@pytest.fixture
def fund_vote(world):
    """A passed owners' vote of 和平里七区 on using the fund."""
    building = world.estate_a1.buildings.first()
    homes = [HouseholdFactory(building=building) for _ in range(3)]
    vote = services.open_vote(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        subject=VoteSubject.FUND_USE,
        title="更换水泵",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    for home in homes:
        services.record_paper_ballot(user=world.staff_a, vote_id=vote.pk, household_id=home.pk, choice="agree")
    return services.close_vote(user=world.staff_a, vote_id=vote.pk)


def _withdraw(world, vote, amount, account=None, on=date(2026, 2, 1)):
    return services.withdraw_fund(
        user=world.staff_a,
        estate_id=world.estate_a1.pk,
        vote_id=vote.pk,
        amount=D(amount),
        purpose="更换二次供水水泵",
        withdrawn_on=on,
        account_id=account.pk if account else None,
    )


# --- Accounts and transactions ------------------------------------------------------------------------------------


def test_balance_is_the_sum_of_transactions_and_the_estate_copy_follows(world):
    account = _open(world)
    _post(world, account, FundTransactionKind.INITIAL, "10000.00")
    _post(world, account, FundTransactionKind.INTEREST, "123.45")
    _post(world, account, FundTransactionKind.TOP_UP, "500.00")
    assert _balance(account) == D("10623.45")
    estate = Estate.objects.get(pk=world.estate_a1.pk)
    assert (estate.fund_balance, estate.fund_holder) == (D("10623.45"), "centre")
    assert estate.history.first().history_user == world.staff_a  # the copy's change is in the estate's history


def test_one_estate_level_account_per_estate_and_one_per_building(world):
    _open(world)
    with pytest.raises(ValidationError, match="已有小区级维修资金账户"):
        _open(world)
    building = world.estate_a1.buildings.first()
    _open(world, building_id=building.pk)
    with pytest.raises(ValidationError, match="该楼栋已有维修资金账户"):
        _open(world, building_id=building.pk)
    other = world.estate_a2.buildings.first()
    with pytest.raises(ValidationError) as refused:
        _open(world, building_id=other.pk)
    assert "building" in refused.value.message_dict
    assert FundAccount.objects.filter(estate=world.estate_a1).count() == 2


def test_the_database_refuses_a_zero_amount_and_a_second_estate_account(world):
    account = _open(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundTransaction.objects.create(account=account, kind="initial", amount=D("0"), booked_on=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundAccount.objects.create(estate=world.estate_a1, holder="bank", opened_on=DAY)


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.005"])
def test_a_recorded_amount_must_be_positive_fen(world, amount):
    account = _open(world)
    with pytest.raises(ValidationError) as refused:
        _post(world, account, FundTransactionKind.INITIAL, amount)
    assert "amount" in refused.value.message_dict
    assert not FundTransaction.objects.exists()


def test_withdrawals_and_transfers_are_not_recorded_by_hand(world):
    account = _open(world)
    for kind in (FundTransactionKind.WITHDRAWAL, FundTransactionKind.TRANSFER_OUT, FundTransactionKind.TRANSFER_IN):
        with pytest.raises(ValidationError) as refused:
            _post(world, account, kind, "10.00")
        assert "kind" in refused.value.message_dict


def test_selling_unit_holder_needs_a_unit_of_the_district(world):
    with pytest.raises(ValidationError, match="须选择售房单位"):
        _open(world, holder=FundAccountHolder.SELLING_UNIT)
    foreign = RightsUnitFactory(district=world.other_district, street=None)
    with pytest.raises(ValidationError) as refused:
        _open(world, holder=FundAccountHolder.SELLING_UNIT, holder_unit_id=foreign.pk)
    assert "holder_unit" in refused.value.message_dict
    with pytest.raises(ValidationError, match="只有持有方为售房单位"):
        _open(world, holder=FundAccountHolder.BANK, holder_unit_id=foreign.pk)


def test_community_workers_read_the_ledger_but_do_not_write_it(world):
    account = _open(world)
    with pytest.raises(PermissionDenied):
        _post(world, account, FundTransactionKind.INITIAL, "10.00", user=world.worker_a1)
    with pytest.raises(PermissionDenied):
        _open(world, estate=world.estate_a2, user=world.worker_a1)
    assert selectors.fund_accounts_for(user=world.worker_a1).count() == 1


def test_staff_of_another_street_cannot_post_to_the_account(world):
    account = _open(world)
    with pytest.raises(Http404):
        _post(world, account, FundTransactionKind.INITIAL, "10.00", user=world.staff_b)
    assert not selectors.fund_accounts_for(user=world.staff_b).exists()


# --- Withdrawals ------------------------------------------------------------------------------------------------


def test_withdrawal_posts_a_linked_use_transaction(world, fund_vote):
    account = _open(world)
    _post(world, account, FundTransactionKind.INITIAL, "12000.00")
    withdrawal = _withdraw(world, fund_vote, "5000.00")
    posting = withdrawal.posting
    assert (posting.account_id, posting.kind, posting.amount) == (account.pk, "withdrawal", D("5000.00"))
    assert _balance(account) == D("7000.00")
    assert Estate.objects.get(pk=world.estate_a1.pk).fund_balance == D("7000.00")


def test_withdrawal_beyond_the_balance_is_refused_and_saves_nothing(world, fund_vote):
    account = _open(world)
    _post(world, account, FundTransactionKind.INITIAL, "100.00")
    with pytest.raises(ValidationError, match="余额不能为负"):
        _withdraw(world, fund_vote, "100.01")
    assert _balance(account) == D("100.00")
    assert not FundWithdrawal.objects.exists()
    assert FundTransaction.objects.count() == 1
    _withdraw(world, fund_vote, "100.00")  # to the fen is allowed: the balance is then zero
    assert _balance(account) == D("0.00")


def test_withdrawal_without_an_account_says_to_open_one(world, fund_vote):
    with pytest.raises(ValidationError, match="尚未建立维修资金账户"):
        _withdraw(world, fund_vote, "1.00")


def test_withdrawal_from_building_accounts_names_the_account(world, fund_vote):
    second = BuildingFactory(estate=world.estate_a1, number="2号楼")
    first = _open(world, building_id=world.estate_a1.buildings.order_by("pk").first().pk)
    other = _open(world, building_id=second.pk)
    _post(world, first, FundTransactionKind.INITIAL, "300.00")
    _post(world, other, FundTransactionKind.INITIAL, "200.00")
    with pytest.raises(ValidationError, match="请选择使用哪个账户"):
        _withdraw(world, fund_vote, "10.00")
    with pytest.raises(ValidationError, match="余额"):
        _withdraw(world, fund_vote, "250.00", account=other)
    _withdraw(world, fund_vote, "250.00", account=first)
    assert (_balance(first), _balance(other)) == (D("50.00"), D("200.00"))
    assert Estate.objects.get(pk=world.estate_a1.pk).fund_balance == D("250.00")  # both accounts together


def test_the_account_rows_are_locked_while_posting(world, fund_vote):
    account = _open(world)
    _post(world, account, FundTransactionKind.INITIAL, "100.00")
    run = counted(lambda: _withdraw(world, fund_vote, "10.00"))
    locks = [sql for sql in run.statements if "FOR UPDATE" in sql and "propertymgmt_fundaccount" in sql]
    assert locks, run.numbered()


# --- Transfers --------------------------------------------------------------------------------------------------


def test_transfer_from_a_selling_unit_that_is_gone_posts_the_pair_and_moves_the_holder(world):
    unit = RightsUnitFactory(
        district=world.district, street=world.street_a, status=RightsUnitStatus.DISSOLVED, status_changed_on=DAY
    )
    account = _open(world, holder=FundAccountHolder.SELLING_UNIT, holder_unit_id=unit.pk)
    _post(world, account, FundTransactionKind.INITIAL, "356000.00")
    account.refresh_from_db()
    assert account.holder_unit_gone  # read from the unit's status
    assert selectors.fund_accounts_for(user=world.official, holder=selectors.SELLING_UNIT_GONE).count() == 1
    services.transfer_fund_account(
        user=world.staff_a,
        account_id=account.pk,
        to_holder=FundAccountHolder.BANK,
        on=date(2026, 3, 1),
        bank="北京银行",
    )
    account.refresh_from_db()
    assert (account.holder, account.holder_unit, account.bank) == ("bank", None, "北京银行")
    kinds = list(account.transactions.order_by("id").values_list("kind", "amount"))
    assert kinds[1:] == [("transfer_out", D("356000.00")), ("transfer_in", D("356000.00"))]
    assert _balance(account) == D("356000.00")
    assert Estate.objects.get(pk=world.estate_a1.pk).fund_holder == "bank"
    assert account.history.first().history_change_reason.startswith("资金转移")


def test_transfer_to_the_same_holder_is_refused_and_changes_nothing(world):
    account = _open(world)
    _post(world, account, FundTransactionKind.INITIAL, "10.00")
    with pytest.raises(ValidationError) as refused:
        services.transfer_fund_account(user=world.staff_a, account_id=account.pk, to_holder="centre", on=DAY)
    assert "to_holder" in refused.value.message_dict
    assert account.transactions.count() == 1


# --- The 30% rule -----------------------------------------------------------------------------------------------


def _below_keys():
    return sorted(Notice.objects.filter(key__startswith="fund-topup:").values_list("key", flat=True))


def test_29_99_percent_is_listed_and_reminded_30_00_is_not(world, fund_vote):
    at_line = _open(world, building_id=world.estate_a1.buildings.first().pk)
    below = _open(world)
    for account in (at_line, below):
        _post(world, account, FundTransactionKind.INITIAL, "10000.00")
    _withdraw(world, fund_vote, "7000.00", account=at_line)  # 3,000.00 = 30.00%
    _withdraw(world, fund_vote, "7001.00", account=below)  # 2,999.00 = 29.99%
    listed = list(selectors.fund_accounts_for(user=world.staff_a, below=True))
    assert [a.pk for a in listed] == [below.pk]
    assert selectors.top_up_needed(listed[0].balance, listed[0].initial) == D("1.00")
    assert services.remind_fund_top_ups() == 1
    notice = Notice.objects.get(key__startswith="fund-topup:")
    assert notice.street_id == world.street_a.pk and notice.estate_id == world.estate_a1.pk
    assert "须续筹1.00元" in notice.text
    assert notice.key == f"fund-topup:{below.pk}:{below.transactions.latest('id').pk}"


def test_an_account_without_an_initial_deposit_is_not_subject(world, fund_vote):
    account = _open(world)
    _post(world, account, FundTransactionKind.OPENING, "10000.00")
    _withdraw(world, fund_vote, "9999.00")
    assert not selectors.fund_accounts_for(user=world.staff_a, below=True).exists()
    assert services.remind_fund_top_ups() == 0


def test_the_weekly_task_reminds_once_per_episode_and_again_in_a_new_one(world, fund_vote):
    account = _open(world)
    _post(world, account, FundTransactionKind.INITIAL, "1000.00")
    _withdraw(world, fund_vote, "800.00")  # 200 of 1,000: below
    tasks.remind_fund_top_ups()
    tasks.remind_fund_top_ups()
    first = _below_keys()
    assert len(first) == 1
    _post(world, account, FundTransactionKind.INTEREST, "1.00", on=date(2026, 2, 2))  # still below: same episode
    tasks.remind_fund_top_ups()
    assert _below_keys() == first
    _post(world, account, FundTransactionKind.TOP_UP, "99.00", on=date(2026, 2, 3))  # 300 = 30%: episode over
    assert tasks.remind_fund_top_ups() == 0
    _withdraw(world, fund_vote, "0.01", on=date(2026, 2, 4))  # below again: a new episode
    tasks.remind_fund_top_ups()
    keys = _below_keys()
    assert len(keys) == 2 and first[0] in keys


def test_the_task_is_in_the_beat_schedule(settings):
    tasks_scheduled = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks_scheduled["propertymgmt.tasks.remind_fund_top_ups"] == 7 * 24 * 3600.0


# --- The estate's old typed facts -------------------------------------------------------------------------------


def test_the_migration_moves_typed_balances_into_accounts(world):
    unit = RightsUnitFactory(district=world.district, street=world.street_a)
    Estate.objects.filter(pk=world.estate_a1.pk).update(
        fund_balance=D("88000.50"), fund_holder="selling_unit", fund_holder_unit=unit
    )
    Estate.objects.filter(pk=world.estate_a2.pk).update(fund_holder="owners")  # a holder, no balance
    Estate.objects.filter(pk=world.estate_b1.pk).update(fund_balance=D("0"))  # nothing to carry
    migration = importlib.import_module("propertymgmt.migrations.0012_fund_ledger")
    migration.move_typed_fund_facts(apps, None)
    account = FundAccount.objects.get(estate=world.estate_a1)
    assert (account.holder, account.holder_unit_id) == ("selling_unit", unit.pk)
    assert list(account.transactions.values_list("kind", "amount")) == [("opening", D("88000.50"))]
    bank = FundAccount.objects.get(estate=world.estate_a2)
    assert bank.holder == "bank" and not bank.transactions.exists()
    assert not FundAccount.objects.filter(estate=world.estate_b1).exists()
    assert Estate.objects.get(pk=world.estate_a2.pk).fund_holder == "bank"


def test_the_estate_form_no_longer_types_the_balance(world, client_for):
    page = client_for(world.staff_a).get(reverse("communities:estate_edit", args=[world.estate_a1.pk]))
    assert page.status_code == 200
    assert 'name="fund_balance"' not in page.content.decode()
    assert 'name="fund_holder"' not in page.content.decode()


# --- Pages --------------------------------------------------------------------------------------------------------


def test_account_list_is_scoped_filtered_and_paginated(world, client_for, fund_vote):
    mine = _open(world)
    _post(world, mine, FundTransactionKind.INITIAL, "1000.00")
    _withdraw(world, fund_vote, "900.00")
    theirs = _open(world, estate=world.estate_b1, user=world.staff_b, holder=FundAccountHolder.BANK)
    client = client_for(world.staff_a)
    url = reverse("propertymgmt:fund_account_list")
    page = client.get(url).content.decode()
    assert "和平里七区" in page and "板厂南里" not in page
    official = client_for(world.official)
    assert "板厂南里" in official.get(url, {"holder": "bank"}).content.decode()
    assert "和平里七区" not in official.get(url, {"holder": "bank"}).content.decode()
    below = official.get(url, {"below": "1"}).content.decode()
    assert "和平里七区" in below and "板厂南里" not in below and "须续筹" in below
    assert official.get(url, {"street": "x"}).status_code == 400
    assert theirs.pk


def test_account_list_query_count_does_not_grow(world, client_for):
    client = client_for(world.official)
    url = reverse("propertymgmt:fund_account_list")
    _open(world)
    client.get(url)  # the session and the user's scope, once
    before = counted(lambda: client.get(url))
    for estate in (world.estate_a2, world.estate_b1):
        account = _open(world, estate=estate, user=world.official)
        _post(world, account, FundTransactionKind.INITIAL, "10.00", user=world.official)
    same_query_count(before, lambda: client.get(url), why="two more accounts")


def test_account_page_shows_the_running_balance_and_posts_for_staff(world, client_for):
    account = _open(world)
    client = client_for(world.staff_a)
    url = reverse("propertymgmt:fund_account_detail", args=[account.pk])
    response = client.post(
        url,
        {"form": "record", "record-kind": "initial", "record-amount": "1000", "record-booked_on": "2026-01-05"},
    )
    assert response.status_code == 302
    client.post(
        url, {"form": "record", "record-kind": "interest", "record-amount": "12.5", "record-booked_on": "2026-06-30"}
    )
    page = client.get(url).content.decode()
    assert "1,000.00" in page and "1,012.50" in page
    refused = client.post(
        url, {"form": "record", "record-kind": "top_up", "record-amount": "0", "record-booked_on": "2026-07-01"}
    )
    assert refused.status_code == 200 and "invalid-feedback" in refused.content.decode()
    assert _balance(account) == D("1012.50")


def test_account_page_is_read_only_for_community_workers(world, client_for):
    account = _open(world)
    client = client_for(world.worker_a1)
    url = reverse("propertymgmt:fund_account_detail", args=[account.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="form"' not in page.content.decode()
    posted = client.post(
        url, {"form": "record", "record-kind": "initial", "record-amount": "1", "record-booked_on": "2026-01-05"}
    )
    assert posted.status_code == 403
    assert client_for(world.staff_b).get(url).status_code == 404
    create = reverse("propertymgmt:fund_account_create", args=[world.estate_a1.pk])
    assert client.get(create).status_code == 403


def test_opening_an_account_from_its_page(world, client_for):
    client = client_for(world.staff_a)
    url = reverse("propertymgmt:fund_account_create", args=[world.estate_a2.pk])
    response = client.post(url, {"holder": "bank", "bank": "工商银行", "opened_on": "2026-01-01"})
    account = FundAccount.objects.get(estate=world.estate_a2)
    assert response.status_code == 302 and response.url == reverse(
        "propertymgmt:fund_account_detail", args=[account.pk]
    )
    again = client.post(url, {"holder": "bank", "opened_on": "2026-01-01"})
    assert again.status_code == 200 and "已有小区级维修资金账户" in again.content.decode()
    property_page = client.get(reverse("propertymgmt:estate_property", args=[world.estate_a2.pk])).content.decode()
    assert reverse("propertymgmt:fund_account_detail", args=[account.pk]) in property_page


# --- Report, export, API ------------------------------------------------------------------------------------------


def test_report_by_street_in_wan_with_totals_and_uses(world, client_for, fund_vote):
    gone = RightsUnitFactory(
        district=world.district, street=world.street_b, status=RightsUnitStatus.DISSOLVED, status_changed_on=DAY
    )
    a = _open(world)
    _post(world, a, FundTransactionKind.INITIAL, "100000.00")
    _withdraw(world, fund_vote, "80000.00", on=date(2026, 3, 1))  # 20,000 of 100,000: 10,000 short of 30%
    b = _open(world, estate=world.estate_b1, user=world.official, holder="selling_unit", holder_unit_id=gone.pk)
    _post(world, b, FundTransactionKind.OPENING, "250000.00", user=world.official)
    report = selectors.fund_report(user=world.official, year=2026)
    rows = {row["street"]: row for row in report.rows}
    assert rows["和平里街道"]["centre_count"] == 1 and rows["和平里街道"]["due"] == 1
    assert rows["和平里街道"]["needed"] == D("10000.00")
    assert rows["龙潭街道"]["selling_unit_gone_balance"] == D("250000.00")
    assert report.total["balance"] == D("270000.00")
    assert report.withdrawals == [("和平里街道", "更换二次供水水泵", 1, D("80000.00"))]
    client = client_for(world.official)
    page = client.get(reverse("propertymgmt:fund_report"), {"year": 2026}).content.decode()
    assert "27.00" in page and "25.00" in page  # 万元
    response = client.get(reverse("propertymgmt:fund_report_export"), {"year": 2026})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    total = next(row for row in values if row[0] == "合计")
    assert D(str(total[-3])) == D("27.00") and total[-2] == 1 and D(str(total[-1])) == D("1.00")
    assert client_for(world.staff_a).get(reverse("propertymgmt:fund_report")).status_code == 200
    staff_report = selectors.fund_report(user=world.staff_a, year=2026)
    assert [row["street"] for row in staff_report.rows] == ["和平里街道"]


def test_api_lists_accounts_with_balance_holder_and_ordered_transactions(world, client_for, fund_vote):
    account = _open(world)
    _post(world, account, FundTransactionKind.INTEREST, "5.00", on=date(2026, 6, 30))
    _post(world, account, FundTransactionKind.INITIAL, "1000.00", on=date(2026, 1, 1))
    _withdraw(world, fund_vote, "900.00")
    _open(world, estate=world.estate_b1, user=world.staff_b)
    client = client_for(world.staff_a)
    data = client.get("/api/v1/fund-accounts/").json()
    results = data["results"] if isinstance(data, dict) else data
    assert [r["estate"] for r in results] == [world.estate_a1.pk]
    row = results[0]
    assert (row["balance"], row["holder"], row["below_threshold"]) == ("105.00", "centre", True)
    assert [t["kind"] for t in row["transactions"]] == ["initial", "withdrawal", "interest"]
    official = client_for(world.official)
    below = official.get("/api/v1/fund-accounts/", {"below_threshold": "true"}).json()
    below = below["results"] if isinstance(below, dict) else below
    assert [r["id"] for r in below] == [account.pk]
    street = official.get("/api/v1/fund-accounts/", {"street": world.street_b.pk}).json()
    street = street["results"] if isinstance(street, dict) else street
    assert [r["estate"] for r in street] == [world.estate_b1.pk]
    assert official.post("/api/v1/fund-accounts/", {}).status_code in (403, 405)


# --- The ledger import --------------------------------------------------------------------------------------------


def _upload(client, rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communities.models import ImportBatch
    from tests.excel import xlsx_bytes

    response = client.post(
        reverse("communities:import_upload"),
        {"file": SimpleUploadedFile("台账.xlsx", xlsx_bytes(rows), content_type="application/octet-stream")},
    )
    return ImportBatch.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def test_the_import_refuses_a_fund_balance_naming_row_and_column(world, client_for, settings, tmp_path):
    from tests.excel import ledger_row

    settings.MEDIA_ROOT = tmp_path
    account = _open(world)
    _post(world, account, FundTransactionKind.OPENING, "5000.00")
    client = client_for(world.staff_a)
    batch = _upload(
        client,
        [
            ledger_row("和平里街道", "交林社区", "和平里七区", 建成年份=1985, **{"维修资金余额（元）": 9000}),
            ledger_row("和平里街道", "交林社区", "新小区", 维修资金持有方="住房资金管理中心"),
            ledger_row("和平里街道", "交林社区", "和平里七区二期", **{"维修资金余额（元）": None}),
        ],
    )
    errors = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert set(errors) == {(2, "维修资金余额（元）"), (3, "维修资金持有方")}
    assert "维修资金台账" in errors[(2, "维修资金余额（元）")]
    assert Estate.objects.get(pk=world.estate_a1.pk).fund_balance == D("5000.00")


def test_the_import_accepts_the_fund_figures_the_ledger_already_has(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = _open(world)
    _post(world, account, FundTransactionKind.OPENING, "5000.00")
    client = client_for(world.staff_a)
    exported = b"".join(client.get(reverse("communities:estate_export")).streaming_content)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communities.models import ImportBatch

    response = client.post(
        reverse("communities:import_upload"),
        {"file": SimpleUploadedFile("导出.xlsx", exported, content_type="application/octet-stream")},
    )
    batch = ImportBatch.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    assert batch.summary["update"] == 0


def test_api_list_query_count_does_not_grow(world, client_for):
    client = client_for(world.official)
    url = "/api/v1/fund-accounts/"
    account = _open(world)
    _post(world, account, FundTransactionKind.INITIAL, "10.00")
    client.get(url)
    before = counted(lambda: client.get(url))
    for estate in (world.estate_a2, world.estate_b1):
        more = _open(world, estate=estate, user=world.official)
        _post(world, more, FundTransactionKind.INITIAL, "10.00", user=world.official)
        _post(world, more, FundTransactionKind.INTEREST, "1.00", user=world.official)
    same_query_count(before, lambda: client.get(url), why="two more accounts with transactions")


def test_community_workers_see_no_withdrawal_form_and_cannot_post_one(world, client_for, fund_vote):
    url = reverse("propertymgmt:estate_property", args=[world.estate_a1.pk])
    client = client_for(world.worker_a1)
    assert 'value="withdraw"' not in client.get(url).content.decode()
    posted = client.post(url, {"form": "withdraw", "withdraw-vote": fund_vote.pk, "withdraw-amount": "1"})
    assert posted.status_code == 403
    assert 'value="withdraw"' in client_for(world.staff_a).get(url).content.decode()
