"""The role × endpoint matrix the portal promises, generated from the URLconf.

Every URL pattern (pages, the DRF routers under /api/v1/, Open311) comes from
`get_resolver()` through the walker of tests/test_junk_input.py; none is listed
by hand. For each one:

- an anonymous visitor is refused (sent to the login page, or 401/403 from the
  API), unless the pattern is in PUBLIC with the reason it is open;
- its ids are filled with objects of street A (PK_KEYS / PARAM_KEYS for pages,
  the viewset's model for the API). A pattern whose ids cannot be filled fails,
  so a new page cannot escape the matrix. Then someone who cannot see the
  object (street B's staff; for district-wide objects an official of another
  district) gets 404, and the district official (or the owner of a per-user
  object) opens it: 200, a redirect that is not to the login page, or 405 for
  a POST-only action;
- a write (POST to a page that creates, edits or deletes; POST, PATCH and
  DELETE to the API) by an auditor, and by a community worker of another
  community, is refused: 404 outside their scope, 403 inside it without the
  right (405: the method does not exist at all).

Who may see what is computed from accounts.scoping (scoped(), can()), not
written down again here: the test checks that every view agrees with it.

Each check loops over all patterns and reports every failure at once. Known
failures are listed in KNOWN with the reason; the set must match exactly (a
fixed one fails until its entry is removed), like a strict xfail.
"""

import re
from datetime import date

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import resolve

from accounts.models import Role
from accounts.scoping import Action, can, scoped
from tests.conftest import counted
from tests.csp_pages import build_data
from tests.factories import UserFactory
from tests.test_junk_input import fill, url_patterns

pytestmark = pytest.mark.django_db

# Patterns an anonymous visitor may open, and why.
PUBLIC = {
    "home": "redirects to the dashboard or to the login page",
    "healthz": "plain-text health check for the load balancer",
    "set_language": "the language switch (Django's i18n view)",
    "accounts:login": "the login page",
    "accounts:logout": "logging out",
    "complaints:public_form": "the resident's complaint form",
    "complaints:supplemented": "the resident's 'photos added' confirmation",
    "complaints:estate_search": "estate suggestions (names only) for the public form",
    "complaints:track": "tracking by case number and phone (the words follow a one-time SMS code)",
    "complaints:follow": "the follow link sent to the resident: the token is the key",
    "complaints:follow_photo": "a photo of the case behind the follow link's token",
    "open311:services": "Open311 GeoReport v2: public by the standard (filing takes an API key)",
    "open311:service": "Open311 GeoReport v2: public by the standard",
    "open311:requests": "Open311 GeoReport v2: public by the standard",
    "open311:request": "Open311 GeoReport v2: public by the standard",
    "propertymgmt:vote_cast": "an owner casts a ballot with the one-time code sent to them",
    "api:schema": "the OpenAPI schema (no data)",
    "api:docs": "the API's documentation page (no data)",
}

# `pk` of each page pattern → the object of street A it names (a key of `matrix_data`).
PK_KEYS = {
    "communities:import_preview": "import_batch",
    "communities:saved_filter_delete": "saved_filter",
    "communities:estate_detail": "estate",
    "communities:estate_edit": "estate",
    "communities:estate_delete": "estate",
    "communities:building_edit": "building",
    "communities:building_delete": "building",
    "communities:holding_edit": "holding",
    "communities:structure_edit": "structure",
    "communities:attachment_download": "attachment",
    "communities:attachment_delete": "attachment",
    "communities:rights_unit_detail": "rights_unit",
    "communities:rights_unit_edit": "rights_unit",
    "communities:household_import_preview": "household_batch",
    "communities:household_edit": "household",
    "core:export_job": "export_job",
    "core:export_download": "export_done",
    "complaints:case_detail": "complaint",
    "complaints:reveal_phone": "complaint",
    "complaints:case_action": "complaint",
    "complaints:case_photo": "complaint_photo",
    "complaints:extension_decide": "extension",
    "propertymgmt:company_edit": "company",
    "propertymgmt:company_withdraw": "company",
    "propertymgmt:company_detail": "company",
    "propertymgmt:company_opinion_add": "company",
    "propertymgmt:rectification_detail": "rectification",
    "propertymgmt:rectification_check": "rectification",
    "propertymgmt:contract_end": "contract",
    "propertymgmt:vote_detail": "vote",
    "propertymgmt:vote_codes": "vote",
    "propertymgmt:payee_detail": "payee",
    "propertymgmt:payee_edit": "payee",
    "propertymgmt:payee_reveal": "payee",
    "propertymgmt:batch_detail": "batch",
    "propertymgmt:batch_instruction": "batch",
    "propertymgmt:batch_settle": "batch",
    "propertymgmt:batch_settle_confirm": "batch",
    "propertymgmt:reward_detail": "reward_scheme",
    "propertymgmt:reward_edit": "reward_scheme",
    "propertymgmt:fund_account_detail": "fund_account",
    "renovation:photo_download": "progress_photo",
}
for _name in (
    "project_detail",
    "project_edit",
    "project_move",
    "gate_override",
    "street_consent",
    "fund_arrangement",
    "work_item_create",
    "work_item_edit",
    "funding_create",
    "funding_edit",
    "consultation_add",
    "progress_add",
    "approval_create",
    "approval_edit",
    "tender_award_edit",
):
    PK_KEYS[f"renovation:{_name}"] = "project"
# Other id parameters, the same object whatever the pattern.
PARAM_KEYS = {
    "estate_pk": "estate",
    "period_pk": "subsidy_period",
    "item_pk": "work_item",
    "line_pk": "funding_line",
    "approval_pk": "approval",
    "history_id": "estate_history",
}
# Parameters that name no object: a valid value.
VALUES = {"kind": "estate", "action": "accept", "gate": "street_consent", "format": "json", "role": "contractor"}
# The API's models → the object of street A.
MODEL_KEYS = {
    "communities.Estate": "estate",
    "communities.Building": "building",
    "org.StreetOffice": "street",
    "org.Community": "community",
    "communities.PropertyRightsUnit": "rights_unit",
    "complaints.Complaint": "complaint",
    "propertymgmt.PropertyCompany": "company",
    "propertymgmt.Contract": "contract",
    "propertymgmt.OwnersVote": "vote",
    "propertymgmt.SubsidyPayment": "subsidy_payment",
    "propertymgmt.Payee": "payee",
    "propertymgmt.DisbursementBatch": "batch",
    "propertymgmt.Committee": "committee",
    "propertymgmt.Assessment": "assessment",
    "propertymgmt.RectificationOrder": "rectification",
    "propertymgmt.FundAccount": "fund_account",
    "renovation.Project": "project",
    "renovation.CatalogueItem": "catalogue_item",
    "renovation.WorkItem": "work_item",
    "renovation.FundingLine": "funding_line",
    "renovation.ConsultationMeeting": "consultation",
    "renovation.ProgressReport": "progress_report",
}
# The object whose scope decides, when the URL names a row that has none of its own.
SUBJECT_OF = {
    "estate_history": lambda d: d["estate"],
    "complaint_photo": lambda d: d["complaint"],
    "extension": lambda d: d["complaint"],
}
# Per-user objects (no scope: only their owner reaches them) → the owner's attribute.
OWNER_FIELDS = {"import_batch": "uploaded_by", "household_batch": "uploaded_by", "saved_filter": "owner"}

# Page patterns that change data (by their names): the writers' check POSTs to them.
WRITE = re.compile(
    r"(create|edit|delete|_add|new|withdraw|_end|revert|move|override|consent|arrangement|_run|rate_set|expire|"
    r"order_out|bulk_edit|import|case_action|decide|codes|saved_filter|rectification_check)"
)

# A valid body for the POST-only pages that read their form before the object: an
# empty POST would stop at the form and say nothing about the scope.
POST_DATA = {
    "communities:note_add": lambda d: {"text": "巡查记录"},
    "communities:attachment_add": lambda d: {
        "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        "description": "",
    },
    "communities:estate_bulk_edit": lambda d: {"estates": str(d["estate"].pk), "owners_body": "committee"},
    "renovation:project_move": lambda d: {"to_stage": "construction", "note": ""},
    "propertymgmt:order_out": lambda d: {"company": d["company"].pk, "street": d["street"].pk, "reason": "考核不合格"},
    "propertymgmt:subsidy_rate_set": lambda d: {"rate": "1.50", "mode": "property_company"},
}
# Patterns the writers' check leaves out, and why.
NOT_WRITES = {
    "communities:saved_filter_create": "a user's own saved query string, no organisation data: every role keeps some",
}
# Statements that do not change the portal's data (the session, the user's activity time, rate counters).
HOUSEKEEPING = ("django_session", "accounts_user", "core_ratecounter", "SAVEPOINT", "RELEASE SAVEPOINT")

# Known failures: (check, pattern label) → why. Each is a strict expected failure: the
# test fails when one of them starts to pass, until it is removed. None today.
KNOWN: dict[tuple[str, str], str] = {}


# --- data ------------------------------------------------------------------------------------


@pytest.fixture
def matrix_data(world, settings, tmp_path):
    """build_data's objects of street A (tests/csp_pages.py), and the few more the URLs name."""
    from communities.models import EstateAttachment
    from complaints.models import ExtensionRequest, Photo
    from core.models import ExportJob, SavedFilter
    from propertymgmt import services as property_services
    from propertymgmt.models import SubsidyPayment
    from renovation.models import CatalogueItem, ConsultationMeeting, ProgressPhoto, ProgressReport

    settings.MEDIA_ROOT = tmp_path
    d = build_data(world)
    estate = d["estate"]
    d["street"] = world.street_a
    d["community"] = world.community_a1
    d["estate_history"] = estate.history.first()
    d["saved_filter"] = SavedFilter.objects.create(owner=world.staff_a, list_name="estates", name="老旧", query="q=x")
    d["attachment"] = EstateAttachment.objects.create(
        estate=estate,
        kind=EstateAttachment.Kind.choices[0][0],
        file=ContentFile(b"%PDF-1.4\n", name="plan.pdf"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=world.staff_a,
    )
    d["complaint_photo"] = Photo.objects.create(complaint=d["complaint"], file=ContentFile(b"jpg", name="p.jpg"))
    d["extension"] = ExtensionRequest.objects.create(
        complaint=d["complaint"], days=3, reason="材料未到", requested_by=world.staff_a
    )
    d["export_done"] = ExportJob.objects.create(
        requested_by=world.official,
        kind="ledger",
        status=ExportJob.Status.DONE,
        file=ContentFile(b"PK", name="ledger.xlsx"),
        filename="ledger.xlsx",
    )
    d["catalogue_item"] = CatalogueItem.objects.first()
    d["consultation"] = ConsultationMeeting.objects.create(
        project=d["project"], held_on=date.today(), recorded_by=world.staff_a
    )
    d["progress_report"] = ProgressReport.objects.create(
        project=d["project"], reported_on=date.today(), percent=40, reported_by=world.staff_a
    )
    d["progress_photo"] = ProgressPhoto.objects.create(
        report=d["progress_report"],
        file=ContentFile(b"jpg", name="site.jpg"),
        original_name="site.jpg",
        content_type="image/jpeg",
        size=3,
        width=1,
        height=1,
    )
    from propertymgmt.models import Assessment, Committee, ScoringScheme

    d["committee"] = Committee.objects.create(estate=estate, kind="self_mgmt", stage="in_term", chair="张建国")
    d["assessment"] = Assessment.objects.create(
        contract=d["contract"],
        estate=estate,
        company=d["contract"].company,
        month=date.today().replace(day=1),
        scheme=ScoringScheme.objects.get(is_default=True),
        score=90,
        satisfaction=90,
    )
    property_services.run_advance(period_id=d["subsidy_period"].pk)
    d["subsidy_payment"] = SubsidyPayment.objects.filter(estate=estate).first()
    return d


@pytest.fixture
def people(world):
    """The roles the matrix asks: an official of another district and a worker of
    community A2 join the world's users."""
    return {
        "official": world.official,
        "staff_a": world.staff_a,
        "staff_b": world.staff_b,
        "auditor": world.auditor,
        "worker_a2": UserFactory(username="worker_a2", role=Role.COMMUNITY_WORKER, community=world.community_a2),
        "official_elsewhere": UserFactory(
            username="official_elsewhere", role=Role.DISTRICT_OFFICIAL, district=world.other_district
        ),
    }


# --- the generated cases ---------------------------------------------------------------------


class Unfilled(Exception):
    pass


def _api_model(path):
    view = resolve(path).func
    cls = getattr(view, "cls", None)
    queryset = getattr(cls, "queryset", None)
    if queryset is not None:
        return queryset.model
    for attribute in ("serializer_class", "filterset_class"):
        meta = getattr(getattr(cls, attribute, None), "Meta", None)
        if getattr(meta, "model", None) is not None:
            return meta.model
    return None


def filled(pattern, d):
    """(url, the object of street A the URL names, or None). Raises Unfilled."""
    values, subject_key = {}, None
    for param in pattern.params:
        if param in VALUES:
            values[param] = VALUES[param]
            continue
        if param == "pk" and pattern.api:
            probe = fill(pattern, {**dict.fromkeys(pattern.params, 1), **VALUES})
            model = _api_model(probe)
            key = MODEL_KEYS.get(model._meta.label) if model is not None else None
        elif param == "pk":
            key = PK_KEYS.get(pattern.name)
        else:
            key = PARAM_KEYS.get(param)
        if key is None or d.get(key) is None:
            raise Unfilled(f"{pattern.name} {pattern.template}: no street-A object for {param!r}")
        obj = d[key]
        values[param] = obj.history_id if key == "estate_history" else obj.pk
        subject_key = key  # the last id is the most specific
    if pattern.template.endswith("/{format}"):
        values["format"] = ".json"  # the API root's suffix: the walker's template drops the dot
    if subject_key is None:
        return fill(pattern, values), None, None
    subject = SUBJECT_OF[subject_key](d) if subject_key in SUBJECT_OF else d[subject_key]
    return fill(pattern, values), subject_key, subject


def sees(user, key, obj) -> bool:
    if key in OWNER_FIELDS:
        return getattr(obj, f"{OWNER_FIELDS[key]}_id") == user.pk
    if key in ("export_job", "export_done"):
        return obj.requested_by_id == user.pk
    model = type(obj)
    return scoped(model._default_manager.all(), user).filter(pk=obj.pk).exists()


def owner(key, obj, people):
    if key in OWNER_FIELDS:
        return getattr(obj, OWNER_FIELDS[key])
    if key in ("export_job", "export_done"):
        return obj.requested_by
    return people["official"]


def action_of(name: str) -> Action:
    if "revert" in name:
        return Action.REVERT
    if re.search(r"override|decide|subsidy_run", name):
        return Action.APPROVE
    if "delete" in name:
        return Action.DELETE
    if re.search(r"create|_add|new|import|saved_filter_create", name):
        return Action.CREATE
    return Action.CHANGE


def label(pattern) -> str:
    """The pattern's name; DRF's format-suffix twin of a route shares it, so it is told apart."""
    return f"{pattern.name}.{{format}}" if "format" in pattern.params else pattern.name


class Matrix:
    def __init__(self):
        self.failures: dict[tuple[str, str], str] = {}
        self.checked = 0

    def expect(self, check, pattern, ok: bool, detail: str):
        self.checked += 1
        if not ok:
            self.failures.setdefault((check, label(pattern)), detail)

    def report(self, checks):
        known = {key: why for key, why in KNOWN.items() if key[0] in checks}
        new = {k: v for k, v in self.failures.items() if k not in known}
        fixed = [k for k in known if k not in self.failures]
        lines = [f"{check} {name}: {detail}" for (check, name), detail in sorted(new.items())]
        lines += [f"{check} {name}: passes now, remove it from KNOWN" for check, name in fixed]
        assert not lines, f"{len(lines)} of {self.checked} checks failed:\n" + "\n".join(lines)


def request(client, method, url, data=None):
    """One request whose writes (if a refusal fails) are rolled back. The
    response carries `wrote`: the statements that changed the portal's data."""
    with transaction.atomic():
        if method == "post":
            run = counted(lambda: client.post(url, data or {}))
        else:
            run = counted(lambda: getattr(client, method)(url))
        transaction.set_rollback(True)
    response = run.result
    response.wrote = [
        sql
        for sql in run.statements
        if sql.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE") and not any(t in sql for t in HOUSEKEEPING)
    ]
    return response


def _client(user=None):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _describe(method, url, response):
    where = f" → {response['Location']}" if response.status_code in (301, 302) else ""
    wrote = getattr(response, "wrote", None)
    effect = f"; WROTE: {wrote[0][:100]}" if wrote else ("; nothing written" if wrote is not None else "")
    return f"{method.upper()} {url} answered {response.status_code}{where}{effect}"


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def _patterns():
    patterns = list(url_patterns())
    assert len(patterns) > 140, "the URLconf walk found too few patterns"
    return patterns


# --- the checks ------------------------------------------------------------------------------


def test_every_pattern_is_filled_from_street_a_or_public(matrix_data):
    """A new pattern whose ids the matrix cannot fill fails here, naming it."""
    unfilled, stale = [], []
    for pattern in _patterns():
        if pattern.name in PUBLIC:
            continue
        try:
            filled(pattern, matrix_data)
        except Unfilled as error:
            unfilled.append(str(error))
    names = {p.name for p in _patterns()}
    stale = [name for name in [*PUBLIC, *PK_KEYS] if name not in names]
    assert not unfilled, "add the pattern to PK_KEYS / PARAM_KEYS / MODEL_KEYS:\n" + "\n".join(unfilled)
    assert not stale, f"entries naming no URL pattern: {stale}"


def test_anonymous_visitors_are_refused_everywhere_but_the_public_patterns(matrix_data):
    matrix, anonymous = Matrix(), _client()
    for pattern in _patterns():
        if pattern.name in PUBLIC:
            continue
        url, _key, _subject = filled(pattern, matrix_data)
        for method in ("get", "post") if not pattern.api else ("get", "post", "delete"):
            if method == "post" and pattern.name == "accounts:logout":
                continue
            response = request(anonymous, method, url)
            refused = response.status_code in (401, 403) or _to_login(response)
            if pattern.api or method == "post":
                refused = refused or response.status_code == 405
            matrix.expect("anonymous", pattern, refused, _describe(method, url, response))
    matrix.report({"anonymous"})


def test_an_object_of_street_a_is_not_found_outside_its_scope_and_opens_inside(matrix_data, people):
    matrix = Matrix()
    clients = {who: _client(user) for who, user in people.items()}
    for pattern in _patterns():
        if pattern.name in PUBLIC or not pattern.params:
            continue
        url, key, subject = filled(pattern, matrix_data)
        if subject is None:
            continue
        action = action_of(pattern.name) if WRITE.search(pattern.name) else Action.VIEW
        # Outside: street B's staff, or (for what the whole district sees) an official of another district.
        outsider = next((w for w in ("staff_b", "official_elsewhere") if not sees(people[w], key, subject)), None)
        if outsider is not None:
            response = request(clients[outsider], "get", url)
            if response.status_code == 405:
                body = POST_DATA[pattern.name](matrix_data) if pattern.name in POST_DATA else None
                response = request(clients[outsider], "post", url, body)
            ok = response.status_code == 404 or (
                response.status_code == 403 and not can(people[outsider], action, type(subject))
            )
            matrix.expect(f"outsider({outsider})", pattern, ok, _describe("get/post", url, response))
        # Inside: the district official (the owner of a per-user object).
        insider = owner(key, subject, people)
        response = request(clients[_who(people, insider)], "get", url)
        ok = response.status_code in (200, 405) or (response.status_code == 302 and not _to_login(response))
        matrix.expect("insider", pattern, ok, _describe("get", url, response))
    matrix.report({"outsider(staff_b)", "outsider(official_elsewhere)", "insider"})


def _who(people, user):
    return next(who for who, u in people.items() if u.pk == user.pk)


def test_writes_by_an_auditor_or_a_worker_of_another_community_are_refused(matrix_data, people):
    matrix = Matrix()
    clients = {who: _client(people[who]) for who in ("auditor", "worker_a2")}
    for pattern in _patterns():
        if pattern.name in PUBLIC or pattern.name in NOT_WRITES:
            continue
        if pattern.api:
            methods = ("patch", "delete") if "pk" in pattern.params else ("post",)
        elif WRITE.search(pattern.name):
            methods = ("post",)
        else:
            continue
        url, key, subject = filled(pattern, matrix_data)
        for who, client in clients.items():
            user = people[who]
            for method in methods:
                action = {"delete": Action.DELETE, "post": Action.CREATE}.get(method, Action.CHANGE)
                if not pattern.api:
                    action = action_of(pattern.name)
                model = type(subject) if subject is not None else None
                role_refusal = model is not None and key not in OWNER_FIELDS and not can(user, action, model)
                if subject is not None and not sees(user, key, subject):
                    # Outside the scope: not found; a role that may not take the action
                    # anywhere may be refused first (403), which says nothing of the object.
                    expected = {404, 403} if role_refusal else {404}
                elif role_refusal:
                    expected = {403}
                elif subject is None and who == "auditor":
                    expected = {403}  # an auditor may create nothing, whatever the model
                else:
                    continue  # inside the scope with the right: not this matrix's question
                body = POST_DATA[pattern.name](matrix_data) if pattern.name in POST_DATA else None
                response = request(client, method, url, body)
                ok = response.status_code in expected or response.status_code == 405
                matrix.expect(f"write({who})", pattern, ok, f"{_describe(method, url, response)}, expected {expected}")
    matrix.report({"write(auditor)", "write(worker_a2)"})


def test_the_admin_the_walker_skips_is_for_superusers_only(world, people):
    """The walker leaves Django's admin out (its own URL scheme); its door is checked here:
    anyone but a staff superuser is sent to the admin's login page, whatever the URL."""
    from django.urls import reverse

    login = reverse("admin:login")
    urls = [reverse("admin:index"), reverse("admin:communities_estate_changelist")]
    urls.append(reverse("admin:communities_estate_change", args=[world.estate_a1.pk]))
    refused = []
    for who, client in {"anonymous": _client(), **{w: _client(u) for w, u in people.items()}}.items():
        for url in urls:
            response = client.get(url)
            if not (response.status_code == 302 and response["Location"].startswith(login)):
                refused.append(f"{who} GET {url}: {response.status_code}")
    assert not refused, refused
    assert _client(world.admin).get(urls[0]).status_code == 200
