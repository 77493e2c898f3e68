"""core.edit_views.ScopedEditView: what every declared edit page inherits.

A small page declared here (renaming a building through a stand-in service) pins
the base's contract without any app's page: the scope's refusals pass through as
they are (404 outside, 403 inside without the right), a service's ValidationError
lands on the form, an EditConflict answers 409 with the form again, success says
so and redirects. The converted pages of the apps are walked by the access matrix.
"""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import include, path

from accounts.scoping import Action, get_scoped_object_or_404
from communities.models import Building
from core.edit_views import ScopedEditView
from core.exceptions import EditConflict

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class NumberForm(forms.Form):
    number = forms.CharField(label="楼号", max_length=20)


def rename_building(*, building_id: int, number: str) -> Building:
    """The stand-in service: refuses a taken number, or someone saved first."""
    if number == "taken":
        raise ValidationError({"number": "该楼号已存在。"})
    if number == "stale":
        raise EditConflict(current=None, changes=[], editors=[])
    Building.objects.filter(pk=building_id).update(number=number)
    return Building.objects.get(pk=building_id)


class RenameBuilding(ScopedEditView):
    form_class = NumberForm
    template_name = "communities/simple_form.html"
    success_message = "已改名。"

    def get_object(self):
        return get_scoped_object_or_404(Building.objects.all(), self.request.user, Action.CHANGE, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"initial": {"number": self.object.number}}

    def save(self, form):
        return rename_building(building_id=self.object.pk, number=form.cleaned_data["number"])

    def get_success_url(self, building):
        return f"/renamed/{building.pk}/"

    def get_context_data(self):
        return {"heading": "改楼号", "cancel_url": "/"}


urlpatterns = [
    path("rename/<int:pk>/", RenameBuilding.as_view(), name="rename_building"),
    path("", include("oldestate.urls")),
]


def _url(building):
    return f"/rename/{building.pk}/"


def _building(world):
    return world.estate_a1.buildings.get()


def test_anonymous_visitor_is_sent_to_the_login_page(world, client):
    response = client.get(_url(_building(world)))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_staff_of_another_street_get_404_and_change_nothing(world, client_for):
    building = _building(world)
    client = client_for(world.staff_b)
    assert client.get(_url(building)).status_code == 404
    assert client.post(_url(building), {"number": "2号楼"}).status_code == 404
    building.refresh_from_db()
    assert building.number == "1号楼"


def test_auditor_sees_the_building_but_gets_403_and_changes_nothing(world, client_for):
    building = _building(world)
    client = client_for(world.auditor)
    assert client.get(_url(building)).status_code == 403
    assert client.post(_url(building), {"number": "2号楼"}).status_code == 403
    building.refresh_from_db()
    assert building.number == "1号楼"


def test_get_shows_the_form_with_the_page_context(world, client_for):
    response = client_for(world.staff_a).get(_url(_building(world)))
    assert response.status_code == 200
    assert response.context["form"]["number"].value() == "1号楼"
    assert response.context["heading"] == "改楼号" and response.context["conflict"] is None


def test_invalid_form_is_shown_again_with_its_errors(world, client_for):
    response = client_for(world.staff_a).post(_url(_building(world)), {"number": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["number"]


def test_services_validation_error_lands_on_the_field_it_names(world, client_for):
    building = _building(world)
    response = client_for(world.staff_a).post(_url(building), {"number": "taken"})
    assert response.status_code == 200
    assert response.context["form"].errors["number"] == ["该楼号已存在。"]
    building.refresh_from_db()
    assert building.number == "1号楼"


def test_edit_conflict_answers_409_with_the_refusal_on_the_form(world, client_for):
    response = client_for(world.staff_a).post(_url(_building(world)), {"number": "stale"})
    assert response.status_code == 409
    assert response.context["conflict"] is not None
    assert "该记录已被他人修改，您的保存未生效。" in response.context["form"].non_field_errors()


def test_success_saves_says_so_and_redirects(world, client_for):
    building = _building(world)
    response = client_for(world.staff_a).post(_url(building), {"number": "2号楼"}, follow=False)
    assert response.status_code == 302 and response["Location"] == f"/renamed/{building.pk}/"
    building.refresh_from_db()
    assert building.number == "2号楼"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["已改名。"]


def test_an_empty_post_is_the_unbound_form_again_as_before(world, client_for):
    """`request.POST or None`, as the hand-written views had it: no errors shown."""
    response = client_for(world.staff_a).post(_url(_building(world)))
    assert response.status_code == 200
    assert not response.context["form"].is_bound
