"""Every page type of the portal, derived from the URLconf, with ids filled from
a small data set: the pages the CSP tests open (tests/test_csp.py with Django's
client, tests/browser/test_csp.py in chromium).

A URL pattern that is neither filled here nor skipped with a reason fails
`test_every_url_pattern_is_a_csp_page_or_skipped`, so a new page cannot be
added without the CSP tests opening it.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PASSWORD = "csp-test-password-1"

# Not pages: downloads, JSON, POST-only actions and redirects. Each with why.
SKIP = {
    "home": "redirects to the dashboard (or the login page)",
    "healthz": "plain-text health check",
    "set_language": "POST only (the language form, submitted in the browser test)",
    "accounts:logout": "POST only",
    "communities:estate_bulk_edit": "POST only (from the ledger's selection)",
    "communities:estate_export": "an .xlsx download",
    "communities:import_template": "an .xlsx download",
    "communities:saved_filter_create": "POST only",
    "communities:saved_filter_delete": "POST only",
    "communities:history_revert": "POST only",
    "communities:note_add": "POST only (the form is on the estate page)",
    "propertymgmt:payee_reveal": "POST only (the button is on the payee page)",
    "propertymgmt:batch_instruction": "an .xlsx download",
    "propertymgmt:subsidy_reconciliation_export": "an .xlsx download",
    "propertymgmt:fund_report_export": "an .xlsx download",
    "propertymgmt:batch_settle_confirm": "POST only (the button is on the return file's preview)",
    "propertymgmt:payee_create": "opened from the list of missing payee accounts, with the body in the query string",
    "communities:attachment_add": "POST only (the form is on the estate page)",
    "communities:attachment_download": "a file download",
    "communities:attachment_delete": "POST only",
    "communities:building_delete": "POST only",
    "communities:household_template": "an .xlsx download",
    "core:export_download": "an .xlsx download",
    "complaints:estate_search": "JSON for the public form's suggestions",
    "complaints:follow_photo": "an image download",
    "complaints:case_export": "an .xlsx download",
    "complaints:measures_export": "an .xlsx download",
    "complaints:reveal_phone": "POST only (htmx, a phone number fragment)",
    "complaints:case_action": "POST only (the forms are on the case page)",
    "complaints:case_photo": "an image download",
    "complaints:extension_decide": "POST only (the form is on the case page)",
    "open311:services": "Open311 JSON",
    "open311:service": "Open311 JSON",
    "open311:requests": "Open311 JSON",
    "open311:request": "Open311 JSON",
    "propertymgmt:subsidy_export": "an .xlsx download",
    "propertymgmt:vote_codes": "POST only (the form is on the vote page)",
    "propertymgmt:committee_expire": "POST only",
    "propertymgmt:order_out": "POST only (the form is on the companies page)",
    "propertymgmt:subsidy_rate_set": "POST only (the form is on the subsidies page)",
    "propertymgmt:subsidy_run": "POST only (the form is on the subsidies page)",
    "renovation:street_report_export": "an .xlsx download",
    "renovation:project_report_export": "an .xlsx download",
    "renovation:photo_download": "an image download",
    "renovation:project_move": "POST only (the form is on the project page)",
    "renovation:gate_override": "POST only (the form is on the project page)",
    "renovation:street_consent": "POST only (the form is on the project page)",
    "renovation:fund_arrangement": "POST only (the form is on the project page)",
    "renovation:consultation_add": "POST only (the form is on the project page)",
    "renovation:progress_add": "POST only (the form is on the project page)",
}
# Whole namespaces that are not the portal's own pages: the API answers JSON
# (its one HTML page, the docs, is listed in EXTRA), the admin is Django's
# (EXTRA opens its index, a list and the forms with scripts of their own).
SKIP_NAMESPACES = ("api", "admin")
# The URL's namespace:name → how to fill its arguments from `data`.
FILL = {
    "communities:import_preview": lambda d: {"pk": d["import_batch"].pk},
    "communities:estate_detail": lambda d: {"pk": d["estate"].pk},
    "communities:estate_edit": lambda d: {"pk": d["estate"].pk},
    "communities:estate_delete": lambda d: {"pk": d["estate"].pk},
    "communities:building_create": lambda d: {"estate_pk": d["estate"].pk},
    "communities:building_edit": lambda d: {"pk": d["building"].pk},
    "communities:holding_create": lambda d: {"estate_pk": d["estate"].pk},
    "communities:holding_edit": lambda d: {"estate_pk": d["estate"].pk, "pk": d["holding"].pk},
    "communities:structure_create": lambda d: {"estate_pk": d["estate"].pk},
    "communities:structure_edit": lambda d: {"estate_pk": d["estate"].pk, "pk": d["structure"].pk},
    "communities:rights_unit_detail": lambda d: {"pk": d["rights_unit"].pk},
    "communities:rights_unit_edit": lambda d: {"pk": d["rights_unit"].pk},
    "communities:household_list": lambda d: {"estate_pk": d["estate"].pk},
    "communities:household_import": lambda d: {"estate_pk": d["estate"].pk},
    "communities:household_import_preview": lambda d: {"pk": d["household_batch"].pk},
    "communities:household_create": lambda d: {"estate_pk": d["estate"].pk},
    "communities:household_edit": lambda d: {"estate_pk": d["estate"].pk, "pk": d["household"].pk},
    "core:export_job": lambda d: {"pk": d["export_job"].pk},
    "complaints:follow": lambda d: {"token": d["complaint"].access_token},
    "complaints:case_detail": lambda d: {"pk": d["complaint"].pk},
    "propertymgmt:estate_property": lambda d: {"estate_pk": d["estate"].pk},
    "propertymgmt:company_edit": lambda d: {"pk": d["company"].pk},
    "propertymgmt:company_withdraw": lambda d: {"pk": d["company"].pk},
    "propertymgmt:contract_end": lambda d: {"pk": d["contract"].pk},
    "propertymgmt:vote_detail": lambda d: {"pk": d["vote"].pk},
    "propertymgmt:vote_codes": lambda d: {"pk": d["vote"].pk},
    "propertymgmt:vote_cast": lambda d: {"pk": d["vote"].pk},
    "propertymgmt:subsidy_payments": lambda d: {"period_pk": d["subsidy_period"].pk},
    "propertymgmt:payee_detail": lambda d: {"pk": d["payee"].pk},
    "propertymgmt:batch_detail": lambda d: {"pk": d["batch"].pk},
    "propertymgmt:batch_settle": lambda d: {"pk": d["batch"].pk},
    "propertymgmt:subsidy_reconciliation": lambda d: {"period_pk": d["subsidy_period"].pk},
    "propertymgmt:payee_edit": lambda d: {"pk": d["payee"].pk},
    "propertymgmt:reward_detail": lambda d: {"pk": d["reward_scheme"].pk},
    "propertymgmt:reward_edit": lambda d: {"pk": d["reward_scheme"].pk},
    "propertymgmt:company_detail": lambda d: {"pk": d["company"].pk},
    "propertymgmt:company_opinion_add": lambda d: {"pk": d["company"].pk},
    "propertymgmt:rectification_detail": lambda d: {"pk": d["rectification"].pk},
    "propertymgmt:rectification_check": lambda d: {"pk": d["rectification"].pk},
    "propertymgmt:fund_account_detail": lambda d: {"pk": d["fund_account"].pk},
    "propertymgmt:fund_account_create": lambda d: {"estate_pk": d["estate"].pk},
    "renovation:project_detail": lambda d: {"pk": d["project"].pk},
    "renovation:project_edit": lambda d: {"pk": d["project"].pk},
    "renovation:work_item_create": lambda d: {"pk": d["project"].pk},
    "renovation:work_item_edit": lambda d: {"pk": d["project"].pk, "item_pk": d["work_item"].pk},
    "renovation:funding_create": lambda d: {"pk": d["project"].pk},
    "renovation:funding_edit": lambda d: {"pk": d["project"].pk, "line_pk": d["funding_line"].pk},
    "renovation:approval_create": lambda d: {"pk": d["project"].pk},
    "renovation:approval_edit": lambda d: {"pk": d["project"].pk, "approval_pk": d["approval"].pk},
    "renovation:tender_award_edit": lambda d: {"pk": d["project"].pk, "role": "contractor"},
}
# HTML pages outside the portal's own URLconf namespaces, opened as they are.
EXTRA = {
    "api:docs": lambda d: {},
    "admin:index": lambda d: {},
    "admin:communities_estate_changelist": lambda d: {},
    "admin:communities_estate_change": lambda d: {"object_id": d["estate"].pk},
    "admin:communities_estate_history": lambda d: {"object_id": d["estate"].pk},
    "admin:django_celery_beat_periodictask_add": lambda d: {},
}
# Pages a visitor opens without logging in (they are also opened logged in).
PUBLIC = {"accounts:login", "complaints:public_form", "complaints:track", "complaints:follow", "propertymgmt:vote_cast"}


def url_names(resolver=None, namespace=""):
    """namespace:name of every named URL pattern, in URLconf order."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def unlisted_url_names():
    """Named URLs the CSP tests would not open and that are not skipped with a reason."""
    names = []
    for name in dict.fromkeys(url_names()):
        if name.split(":")[0] in SKIP_NAMESPACES or name in SKIP or name in FILL or name in EXTRA:
            continue
        try:
            reverse(name)
        except Exception:  # needs arguments nobody fills in
            names.append(name)
    return names


def page_urls(data):
    """(name, path) of every page type, ids filled from `data`."""
    pages = []
    for name in dict.fromkeys(url_names()):
        if name.split(":")[0] in SKIP_NAMESPACES or name in SKIP:
            continue
        kwargs = FILL[name](data) if name in FILL else {}
        pages.append((name, reverse(name, kwargs=kwargs)))
    pages += [(name, reverse(name, kwargs=fill(data))) for name, fill in EXTRA.items()]
    # The ledger with a filter and a second page of a paginated list: the query
    # string variants of a list are page states of their own.
    pages.append(("communities:estate_list?filtered", reverse("communities:estate_list") + "?q=%E5%92%8C"))
    return pages


def build_data(world):
    """One object of each kind the pages show, in street A (estate_a1), where
    the street staff, the community worker and the district roles all see it."""
    from communities import services as ledger
    from complaints import services as complaints
    from complaints.models import Category, Channel
    from core.models import ExportJob
    from propertymgmt import services as property_services
    from renovation.models import AnnualPlan, Approval, FiveYearPlan
    from tests.excel import ledger_row, xlsx_bytes
    from tests.factories import HoldingFactory, IllegalStructureFactory, RightsUnitFactory
    from tests.propertymgmt.conftest import ContractFactory, HouseholdFactory
    from tests.renovation.conftest import FundingLineFactory, ProjectFactory, WorkItemFactory

    estate = world.estate_a1
    building = estate.buildings.get()
    for user in (world.official, world.staff_a, world.staff_b, world.worker_a1, world.auditor, world.admin):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    rights_unit = RightsUnitFactory(district=world.district)
    holding = HoldingFactory(estate=estate, building=building, rights_unit=rights_unit)
    structure = IllegalStructureFactory(estate=estate)
    households = [
        HouseholdFactory(building=building, room=room, owner_name=owner, exclusive_area=Decimal(area))
        for room, owner, area in (("101", "张建国", "80.00"), ("102", "李秀英", "60.00"))
    ]
    import_batch = ledger.preview_import(
        user=world.staff_a,
        upload=SimpleUploadedFile("台账.xlsx", xlsx_bytes([ledger_row("和平里街道", "交林社区", "交林新村")])),
    )
    headers = ["楼号", "单元", "房号", "专有部分面积（㎡）", "业主姓名", "联系电话", "备注"]
    home = dict(zip(headers, ["1号楼", "2单元", "201", 56.32, "王淑兰", "", ""], strict=True))
    household_batch = ledger.preview_household_import(
        user=world.staff_a,
        estate_id=estate.pk,
        upload=SimpleUploadedFile(
            "户籍.xlsx",
            xlsx_bytes([home], headers=headers),
        ),
    )
    export_job = ExportJob.objects.create(
        requested_by=world.official, kind="ledger", status="running", total_rows=100, rows_done=40
    )
    complaint = complaints.file_complaint(
        filing=complaints.Filing(
            category=Category.objects.get(code="common_area"),
            description="楼道被杂物堵塞\n第二行",
            reporter_name="李秀英",
            reporter_phone="13812345678",
            estate=estate,
            channel=Channel.WEB,
            consent=True,
        )
    )
    contract = ContractFactory(estate=estate, starts_on=date(2024, 1, 1))
    property_services.record_fee_collection(
        user=world.staff_a,
        estate_id=estate.pk,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        billed=Decimal("100000.00"),
        collected=Decimal("72000.00"),
    )
    today = date.today()
    vote = property_services.open_vote(
        user=world.staff_a,
        estate_id=estate.pk,
        subject="elevator",
        title="加装电梯",
        opens_on=today,
        closes_on=today + timedelta(days=30),
    )
    subsidy_period = property_services.ensure_period(district_id=world.district.pk, day=today)
    plan = FiveYearPlan.objects.create(district=world.district, name="“十五五”规划", start_year=2026, end_year=2030)
    annual = AnnualPlan.objects.create(plan=plan, year=today.year)
    project = ProjectFactory(annual_plan=annual, estate=estate, stage="tender", created_by=world.staff_a, progress=40)
    work_item = WorkItemFactory(project=project)
    funding_line = FundingLineFactory(project=project)
    approval = Approval.objects.create(
        project=project, kind="joint_review", decided_on=date(2024, 3, 1), result="passed", recorded_by=world.staff_a
    )
    payee = property_services.save_payee(
        user=world.staff_a,
        data={"account_name": "和平里街道物业服务中心", "bank": "中国工商银行", "account_number": "02000012345678901"},
        body="street_centre",
        target_id=world.street_a.pk,
    )
    from propertymgmt.models import DisbursementBatch

    batch = DisbursementBatch.objects.create(district=world.district, period=subsidy_period)
    reward_scheme = property_services.save_scheme(
        user=world.official,
        data={
            "district": world.district.pk,
            "year": today.year,
            "name": "以奖代补考核",
            "items": [
                {"code": "fee", "name": "物业费收缴", "points": 60},
                {"code": "safety", "name": "安全", "points": 40},
            ],
            "tiers": [{"min_score": 80, "share": 1}],
            "street_reward": "50000",
        },
    )
    rectification = property_services.issue_rectification(
        user=world.staff_a,
        company_id=contract.company_id,
        street_id=world.street_a.pk,
        problems="楼道堆物未清理",
        deadline=today + timedelta(days=30),
        checker="街道城管科",
        estate_ids=[estate.pk],
    )
    property_services.record_opinion(
        user=world.staff_a,
        company_id=contract.company_id,
        street_id=world.street_a.pk,
        kind="rating",
        grade="qualified",
        text="服务基本到位",
    )
    fund_account = property_services.open_fund_account(
        user=world.staff_a, estate_id=estate.pk, building_id=building.pk, holder="centre", opened_on=today
    )
    property_services.record_fund_transaction(
        user=world.staff_a, account_id=fund_account.pk, kind="initial", amount=Decimal("1000.00"), booked_on=today
    )
    return {
        "estate": estate,
        "building": building,
        "rights_unit": rights_unit,
        "holding": holding,
        "structure": structure,
        "household": households[0],
        "import_batch": import_batch,
        "household_batch": household_batch,
        "export_job": export_job,
        "complaint": complaint,
        "company": contract.company,
        "contract": contract,
        "vote": vote,
        "subsidy_period": subsidy_period,
        "project": project,
        "work_item": work_item,
        "approval": approval,
        "funding_line": funding_line,
        "payee": payee,
        "batch": batch,
        "reward_scheme": reward_scheme,
        "rectification": rectification,
        "fund_account": fund_account,
    }
