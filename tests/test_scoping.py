"""One scoping function decides what each role sees and changes: pages, API,
export and import all refuse what lies outside the user's node."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from openpyxl import load_workbook

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities.models import Building, Estate, PropertyRightsUnit
from org.models import Community, StreetOffice
from tests.factories import HoldingFactory, RightsUnitFactory

pytestmark = pytest.mark.django_db

VISIBLE = {
    "official": {"estate_a1", "estate_a2", "estate_b1"},
    "staff_a": {"estate_a1", "estate_a2"},
    "staff_b": {"estate_b1"},
    "worker_a1": {"estate_a1"},
    "auditor": {"estate_a1", "estate_a2", "estate_b1"},
    "admin": {"estate_a1", "estate_a2", "estate_b1", "estate_other_district"},
}


def names(world, keys):
    return {getattr(world, key).name for key in keys}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_sees_exactly_its_subtree(world, role):
    user = getattr(world, role)
    seen = set(scoped(Estate.objects.all(), user).values_list("name", flat=True))
    assert seen == names(world, VISIBLE[role])


@pytest.mark.parametrize(
    ("role", "changeable"),
    [
        ("official", {"estate_a1", "estate_a2", "estate_b1"}),
        ("staff_a", {"estate_a1", "estate_a2"}),
        ("worker_a1", {"estate_a1"}),
        ("auditor", set()),
    ],
)
def test_change_scope_follows_role(world, role, changeable):
    user = getattr(world, role)
    changed = set(scoped(Estate.objects.all(), user, Action.CHANGE).values_list("name", flat=True))
    assert changed == names(world, changeable)


def test_buildings_follow_their_estate(world):
    seen = set(scoped(Building.objects.all(), world.worker_a1).values_list("estate__name", flat=True))
    assert seen == {world.estate_a1.name}


def test_organisation_tree_is_scoped_and_kept_by_the_district(world):
    assert set(scoped(StreetOffice.objects.all(), world.staff_a)) == {world.street_a}
    assert set(scoped(Community.objects.all(), world.worker_a1)) == {world.community_a1}
    assert not scoped(Community.objects.all(), world.staff_a, Action.CHANGE).exists()
    assert scoped(Community.objects.all(), world.official, Action.CHANGE).count() == 3


def test_user_without_role_or_inactive_sees_nothing(world):
    from tests.factories import UserFactory

    assert not scoped(Estate.objects.all(), UserFactory(username="norole")).exists()
    world.staff_a.is_active = False
    world.staff_a.save()
    assert not scoped(Estate.objects.all(), type(world.staff_a).objects.get(pk=world.staff_a.pk)).exists()


def test_rights_unit_visible_where_it_holds_something(world):
    unit = RightsUnitFactory(district=world.district, name="北京化工研究院")
    HoldingFactory(estate=world.estate_b1, rights_unit=unit)
    assert scoped(PropertyRightsUnit.objects.all(), world.staff_b).filter(pk=unit.pk).exists()
    assert not scoped(PropertyRightsUnit.objects.all(), world.staff_a).filter(pk=unit.pk).exists()
    assert not scoped(PropertyRightsUnit.objects.all(), world.worker_a1).filter(pk=unit.pk).exists()
    # Holding in two estates of one street does not duplicate the row.
    from tests.factories import EstateFactory

    HoldingFactory(estate=EstateFactory(community=world.community_b1), rights_unit=unit)
    assert scoped(PropertyRightsUnit.objects.all(), world.staff_b).filter(pk=unit.pk).count() == 1


# --- Pages ----------------------------------------------------------------------


def test_staff_cannot_see_other_street_estate_page(world, client_for):
    client = client_for(world.staff_a)
    other = world.estate_b1
    for name in ("estate_detail", "estate_edit", "estate_delete"):
        assert client.get(reverse(f"communities:{name}", args=[other.pk])).status_code == 404
    response = client.post(reverse("communities:estate_edit", args=[other.pk]), {"name": "被改名", "version": 1})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "板厂南里"


def test_list_page_shows_only_own_street(world, client_for):
    response = client_for(world.staff_a).get(reverse("communities:estate_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.estate_a1.name in body and world.estate_a2.name in body
    assert world.estate_b1.name not in body


def test_staff_cannot_filter_by_another_street(world, client_for):
    response = client_for(world.staff_a).get(reverse("communities:estate_list"), {"street": world.street_b.pk})
    assert response.status_code == 200
    assert world.estate_b1.name not in response.content.decode()
    assert response.context["page"].paginator.count == 0


def test_community_worker_edits_own_community_only(world, client_for):
    client = client_for(world.worker_a1)
    assert client.get(reverse("communities:estate_edit", args=[world.estate_a1.pk])).status_code == 200
    assert client.get(reverse("communities:estate_edit", args=[world.estate_a2.pk])).status_code == 404
    assert client.get(reverse("communities:estate_delete", args=[world.estate_a1.pk])).status_code == 403


def test_auditor_reads_but_cannot_change(world, client_for):
    client = client_for(world.auditor)
    assert client.get(reverse("communities:estate_detail", args=[world.estate_b1.pk])).status_code == 200
    assert client.get(reverse("communities:estate_edit", args=[world.estate_b1.pk])).status_code == 403
    assert client.get(reverse("communities:estate_create")).status_code == 403
    assert client.get(reverse("communities:import_upload")).status_code == 403
    response = client.post(reverse("communities:estate_delete", args=[world.estate_b1.pk]))
    assert response.status_code == 403
    assert Estate.objects.filter(pk=world.estate_b1.pk).exists()


def test_district_official_cannot_see_other_district(world, client_for):
    response = client_for(world.official).get(
        reverse("communities:estate_detail", args=[world.estate_other_district.pk])
    )
    assert response.status_code == 404


def test_staff_cannot_create_estate_in_other_street(world, client_for):
    response = client_for(world.staff_a).post(
        reverse("communities:estate_create"),
        {
            "community": world.community_b1.pk,
            "name": "越权小区",
            "year_built": 1990,
            "enclosure": "open",
            "management_mode": "none",
            "owners_body": "none",
            "fund_status": "unknown",
            "fund_holder": "none",
            "building_count": 1,
            "households": 10,
            "floor_area": "100",
        },
    )
    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert not Estate.objects.filter(name="越权小区").exists()


def test_bulk_edit_with_foreign_estate_changes_nothing(world, client_for):
    ids = f"{world.estate_a1.pk},{world.estate_b1.pk}"
    client_for(world.staff_a).post(
        reverse("communities:estate_bulk_edit"), {"estates": ids, "management_mode": "market"}
    )
    assert set(Estate.objects.filter(management_mode="market").values_list("pk", flat=True)) == set()


def test_attachment_of_other_street_is_not_found(world, client_for, tmp_path, settings):
    from django.core.files.base import ContentFile

    from communities.models import EstateAttachment

    settings.MEDIA_ROOT = tmp_path
    attachment = EstateAttachment(
        estate=world.estate_b1,
        kind="document",
        original_name="a.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=world.staff_b,
    )
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    url = reverse("communities:attachment_download", args=[attachment.pk])
    assert client_for(world.staff_a).get(url).status_code == 404
    assert client_for(world.staff_b).get(url).status_code == 200


# --- API --------------------------------------------------------------------------


def api_names(response):
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ["official", "staff_a", "worker_a1", "auditor"])
def test_api_list_is_scoped(world, client_for, role):
    response = client_for(getattr(world, role)).get("/api/v1/estates/")
    assert response.status_code == 200
    assert api_names(response) == names(world, VISIBLE[role])


def test_api_refuses_other_street_estate(world, client_for):
    client = client_for(world.staff_a)
    url = f"/api/v1/estates/{world.estate_b1.pk}/"
    assert client.get(url).status_code == 404
    response = client.patch(url, {"name": "改名", "version": 1}, content_type="application/json")
    assert response.status_code == 404
    assert client.delete(url).status_code == 404
    assert Estate.objects.get(pk=world.estate_b1.pk).name == "板厂南里"


def test_api_auditor_gets_403_on_write(world, client_for):
    response = client_for(world.auditor).patch(
        f"/api/v1/estates/{world.estate_a1.pk}/", {"households": 1, "version": 1}, content_type="application/json"
    )
    assert response.status_code == 403


def test_api_create_in_other_street_is_400(world, client_for):
    response = client_for(world.staff_a).post(
        "/api/v1/estates/",
        {"community": world.community_b1.pk, "name": "越权", "year_built": 1990},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "community" in response.json()


def test_api_buildings_and_rights_units_are_scoped(world, client_for):
    client = client_for(world.worker_a1)
    buildings = client.get("/api/v1/buildings/").json()["results"]
    assert {b["estate"] for b in buildings} == {world.estate_a1.pk}
    other_building = Building.objects.get(estate=world.estate_b1)
    assert client.get(f"/api/v1/buildings/{other_building.pk}/").status_code == 404
    streets = client.get("/api/v1/street-offices/").json()["results"]
    assert [s["name"] for s in streets] == ["和平里街道"]
    communities = client.get("/api/v1/communities/").json()["results"]
    assert [c["name"] for c in communities] == ["交林社区"]


def test_api_requires_authentication(world, client):
    assert client.get("/api/v1/estates/").status_code in (401, 403)


def test_api_token_auth_is_scoped(world, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.staff_b)
    response = client.get("/api/v1/estates/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_names(response) == {"板厂南里"}


# --- Export ----------------------------------------------------------------------------


def exported_names(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    return {row[3] for row in rows if row and isinstance(row[0], int)}


@pytest.mark.parametrize("role", ["official", "staff_a", "worker_a1", "auditor"])
def test_export_is_scoped(world, client_for, role):
    response = client_for(getattr(world, role)).get(reverse("communities:estate_export"))
    assert response.status_code == 200
    assert exported_names(response) == names(world, VISIBLE[role])


def test_export_with_foreign_street_filter_exports_nothing_of_it(world, client_for):
    response = client_for(world.staff_a).get(reverse("communities:estate_export"), {"street": world.street_b.pk})
    assert response.status_code == 302  # the filter is invalid for this user: back to the list with a message
    assert "estate_export" not in response.url


def test_community_dropdown_follows_the_chosen_street(world, client_for, monkeypatch):
    """A national view has 40,000 communities: the drop-down lists those of the
    chosen street, and asks for a street first when there are too many."""
    from communities.filtersets import EstateFilterSet

    monkeypatch.setattr(EstateFilterSet, "MAX_OPTIONS", 2)
    client = client_for(world.admin)
    page = client.get(reverse("communities:estate_list")).content.decode()
    assert "（请先选择街道）" in page and "交林社区</option>" not in page
    page = client.get(reverse("communities:estate_list"), {"street": world.street_a.pk}).content.decode()
    assert ">交林社区</option>" in page and ">青年湖社区</option>" in page and "板厂南里社区" not in page
    # Validation still accepts any community in scope (e.g. from a saved filter).
    response = client.get(reverse("communities:estate_list"), {"community": world.community_b1.pk})
    assert [row.name for row in response.context["rows"]] == ["板厂南里"]


@pytest.mark.parametrize("junk", ["abc", "", " 1", "1.0", "-1", "0", "²", "١٢", "１２", "99999999999999999999", "\x00"])
def test_an_id_that_cannot_name_a_row_is_not_found(world, junk):
    """Ids come from URLs: junk, non-ASCII digits and numbers beyond bigint are a 404, not a 500
    (Python's int() would read "١٢" as 12)."""
    with pytest.raises(Http404):
        get_scoped_object_or_404(Estate.objects.all(), world.official, Action.VIEW, pk=junk)
    with pytest.raises(Http404):
        get_scoped_object_or_404(Building.objects.all(), world.official, Action.CHANGE, estate_id=junk)


def test_an_id_as_text_still_finds_its_row_and_keeps_404_outside_403_inside(world):
    pk = str(world.estate_a1.pk)
    assert get_scoped_object_or_404(Estate.objects.all(), world.staff_a, Action.VIEW, pk=pk) == world.estate_a1
    with pytest.raises(PermissionDenied):
        get_scoped_object_or_404(Estate.objects.all(), world.auditor, Action.CHANGE, pk=pk)
    with pytest.raises(Http404):
        get_scoped_object_or_404(Estate.objects.all(), world.staff_b, Action.CHANGE, pk=pk)


@pytest.mark.parametrize("junk", ["abc", "%C2%B2", "%D9%A1%D9%A2", "99999999999999999999", "-1"])
@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_api_detail_with_a_junk_id_is_404(world, client_for, junk, method):
    client = client_for(world.official)
    response = getattr(client, method)(f"/api/v1/estates/{junk}/", content_type="application/json")
    assert response.status_code == 404
    assert client.post(f"/api/v1/renovation-projects/{junk}/move/").status_code == 404
