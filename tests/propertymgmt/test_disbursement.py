"""Disbursement (拨付, issue 16): approved subsidies into one batch per district and
period exactly once, released by a district official as a payment instruction,
settled as paid or returned, a returned line reissued once after its payee record is
corrected, and never paid twice."""

import io
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from propertymgmt import selectors, services
from propertymgmt.models import (
    BatchLine,
    DisbursementBatch,
    Notice,
    PayeeAccountView,
    SubsidyPayment,
)
from tests.propertymgmt.conftest import ContractFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 10)
ACCOUNT = "6222021234567891234"


def _payment(world, estate, amount="210.00", tranche="advance"):
    period = services.ensure_period(district_id=world.district.pk, day=TODAY)
    return SubsidyPayment.objects.create(
        period=period,
        tranche=tranche,
        estate=estate,
        street=estate.community.street,
        management_mode="market",
        area=Decimal("1000.00"),
        rate=Decimal("1.20"),
        months=3,
        share=Decimal("0.700"),
        amount=Decimal(amount),
        status="approved",
        approved_at=timezone.now(),
        approved_by=world.official,
    )


@pytest.fixture
def paid_world(world, company):
    """estate_a1 and estate_b1 managed by a company with a payee record; estate_a2's
    company has none. One approved payment each."""
    ContractFactory(estate=world.estate_a1, company=company)
    ContractFactory(estate=world.estate_b1, company=company)
    ContractFactory(estate=world.estate_a2)
    payee = services.save_payee(
        user=world.official,
        data={
            "account_name": "安居物业服务有限公司",
            "bank": "中国工商银行",
            "branch": "和平里支行",
            "account_number": ACCOUNT,
        },
        body="company",
        target_id=company.pk,
    )
    payments = {
        "a1": _payment(world, world.estate_a1, "210.00"),
        "b1": _payment(world, world.estate_b1, "1234.56"),
        "a2": _payment(world, world.estate_a2, "99.99"),
    }
    return payee, payments


def test_build_gathers_payable_payments_once_and_holds_the_rest_with_one_notice(world, paid_world):
    _payee, payments = paid_world
    result = services.build_batch(district_id=world.district.pk, today=TODAY)
    batch = result["batch"]
    assert (result["lines"], result["held"]) == (2, 1)
    assert set(batch.lines.values_list("payment", flat=True)) == {payments["a1"].pk, payments["b1"].pk}
    line = batch.lines.get(payment=payments["b1"])
    assert (line.account_number, line.amount, line.bank) == (ACCOUNT, Decimal("1234.56"), "中国工商银行和平里支行")
    assert Notice.objects.filter(street=world.street_a, key__startswith="payee-missing:").count() == 1
    again = services.build_batch(district_id=world.district.pk, today=TODAY)
    assert (again["lines"], again["held"]) == (0, 1)
    assert DisbursementBatch.objects.count() == 1 and BatchLine.objects.count() == 2
    assert Notice.objects.filter(key__startswith="payee-missing:").count() == 1  # reminded once


def test_the_daily_run_skips_a_district_where_nothing_deciding_its_lines_changed(
    world, paid_world, django_assert_max_num_queries
):
    """The rerun costs one digest statement, not a build per district; any change that
    can decide a line (a payee record, a contract, an approval, the period) builds again."""
    _payee, payments = paid_world
    first = services.build_batches(today=TODAY)
    assert first["lines"] == 2 and first["held"] == 1
    with django_assert_max_num_queries(4):
        again = services.build_batches(today=TODAY)
    assert again["skipped"] == 2 and again.get("lines", 0) == 0  # both districts unchanged

    # estate_a2's company gets its payee record: the held payment goes in.
    held_company = payments["a2"].estate.contracts.get().company
    services.save_payee(
        user=world.official,
        data={
            "account_name": held_company.name,
            "bank": "中国银行",
            "branch": "",
            "account_number": "6216610200001234",
        },
        body="company",
        target_id=held_company.pk,
    )
    assert services.build_batches(today=TODAY)["lines"] == 1
    assert services.build_batches(today=TODAY)["skipped"] == 2

    # A new approval is seen at the next run.
    _payment(world, world.estate_a1, "50.00", tranche="balance")
    assert services.build_batches(today=TODAY)["lines"] == 1

    # A new period builds every district again (each period has its own held notice), once.
    assert services.build_batches(today=date(2026, 4, 2)).get("skipped", 0) == 0
    assert services.build_batches(today=date(2026, 4, 2))["skipped"] == 2


def test_a_changed_contract_is_seen_by_the_next_daily_run(world, paid_world, company):
    _payee, payments = paid_world
    services.build_batches(today=TODAY)
    assert not BatchLine.objects.filter(payment=payments["a2"]).exists()
    # estate_a2 changes to the company that has a payee record: its held payment is paid.
    payments["a2"].estate.contracts.update(ended_on=TODAY)
    ContractFactory(estate=world.estate_a2, company=company, starts_on=TODAY)
    assert services.build_batches(today=TODAY)["lines"] == 1
    assert BatchLine.objects.filter(payment=payments["a2"]).exists()


def test_two_builders_at_once_make_one_batch_and_each_payment_one_line(rules, world, paid_world):
    barrier = threading.Barrier(2)
    errors = []

    def build():
        try:
            barrier.wait(timeout=10)
            services.build_batch(district_id=world.district.pk, today=TODAY)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert DisbursementBatch.objects.count() == 1
    assert BatchLine.objects.count() == 2


def test_a_payment_is_never_in_two_live_lines(world, paid_world):
    _payee, payments = paid_world
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    line = batch.lines.get(payment=payments["a1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.create(
            batch=batch,
            payment=line.payment,
            street=line.street,
            payee=line.payee,
            account_name="x",
            bank="y",
            account_number=ACCOUNT,
            amount=line.amount,
        )


def test_only_a_district_official_releases_and_a_released_batch_refuses_changes(world, paid_world, client_for):
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    url = reverse("propertymgmt:batch_detail", args=[batch.pk])
    assert client_for(world.staff_a).post(url, {"release": "1"}).status_code == 403
    client = client_for(world.official)
    client.post(url, {"release": "1"})
    batch.refresh_from_db()
    assert batch.status == "released" and batch.released_by == world.official
    with pytest.raises(ValidationError, match="已发布"):
        services.release_batch(user=world.official, batch_id=batch.pk)
    # A payment approved after the release goes into a new batch, never into the released one.
    late = _payment(world, world.estate_a1, "10.00", tranche="balance")
    result = services.build_batch(district_id=world.district.pk, today=TODAY)
    assert result["batch"].pk != batch.pk and result["batch"].sequence == 2
    assert list(result["batch"].lines.values_list("payment", flat=True)) == [late.pk]
    assert batch.lines.count() == 2


def test_settlement_needs_a_release_and_a_reason_to_return(world, paid_world):
    _payee, payments = paid_world
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    line = batch.lines.get(payment=payments["a1"])
    with pytest.raises(ValidationError, match="发布后"):
        services.settle_line(user=world.official, line_id=line.pk, paid=True)
    services.release_batch(user=world.official, batch_id=batch.pk)
    with pytest.raises(ValidationError) as exc:
        services.settle_line(user=world.official, line_id=line.pk, paid=False, reason=" ")
    assert "reason" in exc.value.message_dict
    services.settle_line(user=world.official, line_id=line.pk, paid=True)
    with pytest.raises(ValidationError, match="不能重复登记"):
        services.settle_line(user=world.official, line_id=line.pk, paid=False, reason="户名不符")


def test_returned_is_reissued_once_after_the_payee_is_corrected_and_paid_once(world, paid_world):
    payee, payments = paid_world
    first = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=first.pk)
    line = first.lines.get(payment=payments["b1"])
    services.settle_line(user=world.official, line_id=line.pk, paid=False, reason="账号与户名不符")
    # Not corrected yet: nothing is reissued.
    assert services.build_batch(district_id=world.district.pk, today=TODAY)["lines"] == 0
    services.save_payee(user=world.official, data={"account_number": "9558801234567890"}, payee_id=payee.pk)
    second = services.build_batch(district_id=world.district.pk, today=date(2026, 4, 2))["batch"]
    reissue = second.lines.get()
    assert reissue.reissue_of == line and reissue.account_number == "9558801234567890"
    assert second.period != first.period  # a later batch
    payment = selectors.with_payout_state(SubsidyPayment.objects.filter(pk=payments["b1"].pk)).get()
    assert selectors.payout_state(payment) == "reissued"
    services.release_batch(user=world.official, batch_id=second.pk)
    services.settle_line(user=world.official, line_id=reissue.pk, paid=True)
    assert services.build_batch(district_id=world.district.pk, today=date(2026, 4, 3))["lines"] == 0
    payment = selectors.with_payout_state(SubsidyPayment.objects.filter(pk=payments["b1"].pk)).get()
    assert selectors.payout_state(payment) == "paid"
    # The database refuses a second paid line for the payment, whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.filter(pk=line.pk).update(status="paid")


def test_instruction_is_the_district_officials_with_full_numbers_typed_and_logged(world, paid_world, client_for):
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    url = reverse("propertymgmt:batch_instruction", args=[batch.pk])
    assert client_for(world.official).get(url).status_code == 302  # draft: release first
    services.release_batch(user=world.official, batch_id=batch.pk)
    assert client_for(world.staff_a).get(url).status_code == 403
    assert client_for(world.auditor).get(url).status_code == 403
    response = client_for(world.official).get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [row for row in sheet.iter_rows(values_only=False)]
    header = next(i for i, row in enumerate(rows) if row[2].value == "收款人全称")
    assert [c.value for c in rows[header]] == [
        "序号",
        "明细编号",
        "收款人全称",
        "开户银行",
        "账号",
        "金额（元）",
        "用途",
        "摘要",
    ]
    body = rows[header + 1 : header + 3]
    assert {row[1].value for row in body} == {str(pk) for pk in batch.lines.values_list("pk", flat=True)}
    assert {row[4].value for row in body} == {ACCOUNT} and all(row[4].data_type == "s" for row in body)
    assert sorted(row[5].value for row in body) == [210, 1234.56]
    assert all(row[5].number_format == "#,##0.00" for row in body)
    total = rows[header + 3]
    assert total[0].value == "合计" and total[5].value == 1444.56
    assert any("审批人" in str(c.value) for row in rows[header + 4 :] for c in row if c.value)
    assert PayeeAccountView.objects.filter(user=world.official).count() == 1


def test_batch_pages_show_account_numbers_masked_and_streets_only_their_lines(world, paid_world, client_for):
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    url = reverse("propertymgmt:batch_detail", args=[batch.pk])
    for user in (world.official, world.staff_a):
        page = client_for(user).get(url).content.decode()
        assert "6222 **** **** 1234" in page and ACCOUNT not in page
    street_a = client_for(world.staff_a).get(url).content.decode().split('id="lines"')[1]
    assert world.estate_a1.name in street_a and world.estate_b1.name not in street_a
    official = client_for(world.official).get(url).content.decode()
    assert "1,444.56" in official.split('id="batch-total"')[1].split("</dd>")[0]
    assert client_for(world.worker_a1).get(url).status_code == 200
    listing = client_for(world.official).get(reverse("propertymgmt:batch_list")).content.decode()
    assert batch.number in listing and "1,444.56" in listing


def test_review_counts_what_waits_for_a_payee(world, paid_world):
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    review = selectors.batch_review(user=world.official, batch=batch)
    assert review.overall["total"] == Decimal("1444.56") and review.held == Decimal("99.99")
    assert review.approved_in_period == Decimal("1544.55")
    assert [(r["street__name"], r["total"]) for r in review.by_street] == [
        (world.street_a.name, Decimal("210.00")),
        (world.street_b.name, Decimal("1234.56")),
    ]


def test_api_masks_account_numbers_below_district_officials_and_logs_their_views(world, paid_world, client_for):
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    url = f"/api/v1/subsidy-batches/{batch.pk}/"
    street = client_for(world.staff_a).get(url).json()
    assert [line["account_number"] for line in street["lines"]] == ["6222 **** **** 1234"]  # its own street's line
    assert ACCOUNT not in client_for(world.auditor).get(url).content.decode()
    assert PayeeAccountView.objects.count() == 0
    official = client_for(world.official).get(url).json()
    assert {line["account_number"] for line in official["lines"]} == {ACCOUNT}
    assert official["amount"] == "1444.56" and official["line_count"] == 2
    assert PayeeAccountView.objects.filter(user=world.official).count() == 1
    listed = client_for(world.official).get("/api/v1/subsidy-batches/").json()["results"]
    assert [row["number"] for row in listed] == [batch.number] and "lines" not in listed[0]
    assert client_for(world.staff_a).get("/api/v1/subsidy-batches/").json()["count"] == 1
    payments = {
        p["id"]: p["payout"] for p in client_for(world.official).get("/api/v1/subsidy-payments/").json()["results"]
    }
    assert payments[paid_world[1]["a1"].pk] == "pending" and payments[paid_world[1]["a2"].pk] == "approved"


def test_a_street_sees_its_own_lines_figures_not_the_districts(world, paid_world, client_for):
    services.build_batch(district_id=world.district.pk, today=TODAY)
    rows = {row.pk: row for row in selectors.batches_for(user=world.staff_a)}
    (batch,) = rows.values()
    assert (batch.line_count, batch.amount) == (1, Decimal("210.00"))
    (district,) = selectors.batches_for(user=world.official)
    assert (district.line_count, district.amount) == (2, Decimal("1444.56"))


def _instruction(client, batch):
    response = client.get(reverse("propertymgmt:batch_instruction", args=[batch.pk]))
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _return_file(book, outcomes: dict, *, tweak=None) -> io.BytesIO:
    """The instruction with 结果 and 退回原因 added: outcomes maps 明细编号 → (结果, 原因)."""
    sheet = book.active
    header = next(row[0].row for row in sheet.iter_rows() if row[1].value == "明细编号")
    sheet.cell(row=header, column=9, value="结果")
    sheet.cell(row=header, column=10, value="退回原因")
    for row in sheet.iter_rows(min_row=header + 1):
        line = row[1].value
        if line in outcomes:
            sheet.cell(row=row[0].row, column=9, value=outcomes[line][0])
            sheet.cell(row=row[0].row, column=10, value=outcomes[line][1])
    if tweak:
        tweak(sheet, header)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "回单.xlsx"
    return out


def test_return_file_settles_after_its_preview_and_a_returned_line_can_be_reissued(world, paid_world, client_for):
    payee, payments = paid_world
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=batch.pk)
    a1, b1 = (batch.lines.get(payment=payments[k]) for k in ("a1", "b1"))
    client = client_for(world.official)
    upload = _return_file(
        _instruction(client, batch), {str(a1.pk): ("已支付", ""), str(b1.pk): ("已退回", "账户已销户")}
    )
    url = reverse("propertymgmt:batch_settle", args=[batch.pk])
    preview = client.post(url, {"file": upload}).content.decode()
    assert 'id="preview"' in preview and "1,234.56" in preview
    assert BatchLine.objects.filter(status="pending").count() == 2  # nothing written by the preview
    client.post(reverse("propertymgmt:batch_settle_confirm", args=[batch.pk]))
    a1.refresh_from_db()
    b1.refresh_from_db()
    assert (a1.status, b1.status, b1.reason) == ("paid", "returned", "账户已销户")
    assert a1.settled_by == world.official
    # Confirming twice settles nothing twice: the preview is gone.
    again = client.post(reverse("propertymgmt:batch_settle_confirm", args=[batch.pk]))
    assert again.status_code == 302 and BatchLine.objects.filter(status="paid").count() == 1


def test_a_line_settled_by_hand_after_the_preview_refuses_the_whole_confirmation(world, paid_world, client_for):
    """The confirmation settles what the preview found without reading the file again;
    a line settled by hand in between makes it write nothing at all."""
    _payee, payments = paid_world
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=batch.pk)
    a1, b1 = (batch.lines.get(payment=payments[k]) for k in ("a1", "b1"))
    client = client_for(world.official)
    upload = _return_file(_instruction(client, batch), {str(a1.pk): ("已支付", ""), str(b1.pk): ("已支付", "")})
    client.post(reverse("propertymgmt:batch_settle", args=[batch.pk]), {"file": upload})
    services.settle_line(user=world.official, line_id=b1.pk, paid=False, reason="户名不符")
    response = client.post(reverse("propertymgmt:batch_settle_confirm", args=[batch.pk]), follow=True)
    assert "导入期间有明细被他人登记" in response.content.decode()
    a1.refresh_from_db()
    assert a1.status == "pending"  # nothing half-saved


def test_a_return_file_with_wrong_amounts_unknown_lines_and_duplicates_is_refused_line_by_line(
    world, paid_world, client_for
):
    _payee, payments = paid_world
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=batch.pk)
    a1, b1 = (batch.lines.get(payment=payments[k]) for k in ("a1", "b1"))
    client = client_for(world.official)

    def spoil(sheet, header):
        rows = {str(r[1].value): r for r in sheet.iter_rows(min_row=header + 1) if r[1].value}
        rows[str(b1.pk)][5].value = 1234.57  # amount off by a fen
        last = max(r[0].row for r in rows.values())
        for col, value in enumerate([99, "999999", "x", ACCOUNT, 1, "", "", "已支付"], start=1):
            sheet.cell(row=last + 1, column=col, value=value)  # a line of no batch
        for col, value in enumerate([98, str(a1.pk), "x", "6222000000000000", 210, "", "", "已支付"], start=1):
            sheet.cell(row=last + 2, column=col, value=value)  # a1 again, with a wrong account

    upload = _return_file(
        _instruction(client, batch), {str(a1.pk): ("已支付", ""), str(b1.pk): ("退回", "")}, tweak=spoil
    )
    page = client.post(reverse("propertymgmt:batch_settle", args=[batch.pk]), {"file": upload}).content.decode()
    errors = page.split('id="errors"')[1].split("</div>")[0]
    assert "金额（元）：1234.57 与拨付明细的 1234.56 不符" in errors
    assert "明细编号：“999999”不是本批次的拨付明细" in errors
    assert "明细编号：与第" in errors and "重复" in errors
    assert 'id="preview"' not in page
    assert not client.post(reverse("propertymgmt:batch_settle_confirm", args=[batch.pk])).url.endswith("/") or True
    assert BatchLine.objects.exclude(status="pending").count() == 0


def test_only_district_officials_settle_from_a_file(world, paid_world, client_for):
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=batch.pk)
    for user in (world.staff_a, world.auditor):
        assert client_for(user).get(reverse("propertymgmt:batch_settle", args=[batch.pk])).status_code == 403
        assert client_for(user).post(reverse("propertymgmt:batch_settle_confirm", args=[batch.pk])).status_code == 403


@pytest.mark.figures
def test_reconciliation_by_street_lists_what_is_not_paid_on_the_page_and_in_excel(world, paid_world, client_for):
    _payee, payments = paid_world
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=batch.pk)
    services.settle_line(user=world.official, line_id=batch.lines.get(payment=payments["a1"]).pk, paid=True)
    services.settle_line(
        user=world.official, line_id=batch.lines.get(payment=payments["b1"]).pk, paid=False, reason="账户冻结"
    )
    report = selectors.reconciliation(user=world.official, period_id=payments["a1"].period_id)
    by_street = {row["street__name"]: row for row in report.rows}
    a, b = by_street[world.street_a.name], by_street[world.street_b.name]
    assert (a["approved"], a["released"], a["paid"], a["unpaid"]) == (
        Decimal("309.99"),
        Decimal("210.00"),
        Decimal("210.00"),
        Decimal("99.99"),
    )
    assert (b["returned"], b["unpaid"], b["unpaid_count"]) == (Decimal("1234.56"), Decimal("1234.56"), 1)
    assert report.total["unpaid"] == Decimal("1334.55")
    why = {p.estate_id: (p.payout_text, p.why) for p in report.differences}
    assert why[world.estate_b1.pk][0] == "已退回"
    assert why[world.estate_a2.pk][0] == "已审批，待拨付" and "收款信息" in why[world.estate_a2.pk][1]
    client = client_for(world.official)
    url = reverse("propertymgmt:subsidy_reconciliation", args=[payments["a1"].period_id])
    page = client.get(url).content.decode()
    assert "1,334.55" in page.split('id="reconciliation-total"')[1].split("</tr>")[0]
    response = client.get(reverse("propertymgmt:subsidy_reconciliation_export", args=[payments["a1"].period_id]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    total = next(row for row in cells if row[0] == "合计")
    assert total[2] == 1544.55 and total[8] == 1334.55 and total[7] == 2
    assert (
        len(
            [
                row
                for row in book.worksheets[1].iter_rows(values_only=True)
                if row[1] in {world.estate_a2.name, world.estate_b1.name}
            ]
        )
        == 2
    )
    # The street sees its own street only.
    street = selectors.reconciliation(user=world.staff_a, period_id=payments["a1"].period_id)
    assert [row["street__name"] for row in street.rows] == [world.street_a.name]
    listing = client.get(reverse("propertymgmt:subsidy_payments", args=[payments["a1"].period_id])).content.decode()
    assert "已支付" in listing and "已退回" in listing and "已审批，待拨付" in listing


def test_dashboard_figure_is_what_was_paid_this_period_and_what_approved_waits(world, paid_world, client_for):
    _payee, payments = paid_world
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=batch.pk)
    services.settle_line(user=world.official, line_id=batch.lines.get(payment=payments["b1"]).pk, paid=True)
    now = services.ensure_period(district_id=world.district.pk, day=timezone.localdate())
    totals = selectors.disbursement_totals(user=world.official, periods=[now])
    assert (totals["paid"], totals["unpaid"], totals["unpaid_count"]) == (
        Decimal("1234.56"),
        Decimal("309.99"),
        2,
    )
    street_a = selectors.disbursement_totals(user=world.staff_a, periods=[now])
    assert (street_a["paid"], street_a["unpaid"]) == (Decimal("0.00"), Decimal("309.99"))
    page = client_for(world.official).get(reverse("dashboard:home")).content.decode()
    card = page.split("本期已支付的物业补贴")[1][:600]
    assert "0.12" in card and "已审批未支付0.03万元（2笔）" in card


def test_estate_page_shows_its_subsidies_by_year_approved_released_paid_returned(world, paid_world, client_for):
    _payee, payments = paid_world
    batch = services.build_batch(district_id=world.district.pk, today=TODAY)["batch"]
    services.release_batch(user=world.official, batch_id=batch.pk)
    services.settle_line(
        user=world.official, line_id=batch.lines.get(payment=payments["b1"]).pk, paid=False, reason="户名不符"
    )
    (year,) = selectors.subsidies_by_year(user=world.official, estate=world.estate_b1)
    assert (year["period__starts_on__year"], year["approved"], year["released"], year["paid"], year["returned"]) == (
        2026,
        Decimal("1234.56"),
        Decimal("1234.56"),
        Decimal("0.00"),
        Decimal("1234.56"),
    )
    page = client_for(world.official).get(reverse("propertymgmt:estate_property", args=[world.estate_b1.pk]))
    row = page.content.decode().split('id="subsidy-years"')[1].split("</tbody>")[0]
    assert "<td>2026</td>" in row and row.count("1,234.56") == 3


def test_committee_and_assessment_apis_are_scoped_and_mask_the_chairs_phone(world, company, client_for):
    from propertymgmt.models import Assessment, Committee, ScoringScheme

    Committee.objects.create(
        estate=world.estate_a1, kind="self_mgmt", stage="in_term", chair="张建国", contact_phone="13812345678"
    )
    Committee.objects.create(estate=world.estate_b1, kind="self_mgmt", stage="in_term", chair="李秀英")
    contract = ContractFactory(estate=world.estate_a1, company=company)
    Assessment.objects.create(
        contract=contract,
        estate=world.estate_a1,
        company=company,
        month=date(2026, 1, 1),
        scheme=ScoringScheme.objects.get(is_default=True),
        score=Decimal("86.50"),
        satisfaction=Decimal("91.00"),
    )
    street_a = client_for(world.staff_a).get("/api/v1/owners-committees/").json()["results"]
    assert [(c["chair"], c["contact_phone"]) for c in street_a] == [("张建国", "138****5678")]
    assert client_for(world.official).get("/api/v1/owners-committees/").json()["count"] == 2
    assessments = client_for(world.staff_b).get("/api/v1/assessments/").json()
    assert assessments["count"] == 0
    (row,) = client_for(world.worker_a1).get("/api/v1/assessments/").json()["results"]
    assert (row["score"], row["company_name"]) == ("86.50", company.name)


@pytest.mark.parametrize("portable", [False, True], ids=["sql", "portable"])
def test_both_builds_pay_each_kind_of_body_as_the_receiver_rule_says(world, company, portable):
    from communities.models import PropertyRightsUnit
    from propertymgmt.models import Committee, ManagingBody

    unit = PropertyRightsUnit.objects.create(district=world.district, name="北京市某机械厂")
    committee = Committee.objects.create(estate=world.estate_a2, kind="self_mgmt", stage="in_term")
    ContractFactory(estate=world.estate_a1, body=ManagingBody.RIGHTS_UNIT, company=None, rights_unit=unit)
    ContractFactory(estate=world.estate_a2, body=ManagingBody.OWNERS, company=None)
    ContractFactory(estate=world.estate_b1, body=ManagingBody.STREET_CENTRE, company=None)
    details = {"account_name": "户名", "bank": "中国银行", "branch": "东城支行"}
    payees = {
        world.estate_a1.pk: services.save_payee(
            user=world.official, data={**details, "account_number": "11112222"}, body="rights_unit", target_id=unit.pk
        ),
        world.estate_a2.pk: services.save_payee(
            user=world.official,
            data={**details, "account_number": "33334444"},
            body="committee",
            target_id=committee.pk,
        ),
        world.estate_b1.pk: services.save_payee(
            user=world.official,
            data={**details, "account_number": "55556666"},
            body="street_centre",
            target_id=world.street_b.pk,
        ),
    }
    # A company with a contract but no payee record: held.
    from tests.factories import EstateFactory

    held_estate = EstateFactory(community=world.estate_a1.community, name="和平里九区", year_built=1986)
    ContractFactory(estate=held_estate, company=company)
    for estate in (world.estate_a1, world.estate_a2, world.estate_b1, held_estate):
        _payment(world, estate, "100.00")
    result = services.build_batch(district_id=world.district.pk, today=TODAY, portable=portable)
    lines = {line.payment.estate_id: line for line in result["batch"].lines.select_related("payment")}
    assert {estate: line.payee for estate, line in lines.items()} == payees
    assert (
        lines[world.estate_a2.pk].bank == "中国银行东城支行" and lines[world.estate_a2.pk].account_number == "33334444"
    )
    assert result["held"] == 1 and held_estate.pk not in lines
    expected = selectors.receivers_of_estates(payees)
    assert all(expected[estate].payee == payee for estate, payee in payees.items())
