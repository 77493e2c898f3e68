"""Cross-site requests: a page or API write made from another site, with the user's
session cookie but without the CSRF token, changes nothing. The other tests use
Django's test client, which skips CSRF checks; these turn them back on."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from communities.models import Estate
from complaints.models import Complaint

pytestmark = pytest.mark.django_db


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def test_page_edit_without_csrf_token_is_refused_and_changes_nothing(world):
    estate = world.estate_a1
    response = csrf_client(world.staff_a).post(
        reverse("communities:estate_edit", args=[estate.pk]), {"name": "被篡改的名字", "version": estate.version}
    )
    assert response.status_code == 403
    estate.refresh_from_db()
    assert estate.name == "和平里七区"


def test_page_edit_with_the_token_from_the_form_goes_through_the_csrf_check(world):
    client = csrf_client(world.staff_a)
    url = reverse("communities:estate_edit", args=[world.estate_a1.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"csrfmiddlewaretoken": str(page.context["csrf_token"])})
    assert response.status_code == 200 and response.context["form"].errors  # the form, not CSRF, refused it


def test_api_write_with_session_cookie_but_without_csrf_token_is_refused(world):
    response = csrf_client(world.staff_a).patch(
        f"/api/v1/estates/{world.estate_a1.pk}/", {"name": "被篡改的名字"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Estate.objects.get(pk=world.estate_a1.pk).name == "和平里七区"


def test_api_write_with_a_token_needs_no_csrf_token(world):
    """A token is not sent by browsers on their own, so it is no cross-site risk."""
    key = Token.objects.create(user=world.official).key
    response = Client(enforce_csrf_checks=True).get(
        f"/api/v1/estates/{world.estate_a1.pk}/", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200


def test_public_complaint_form_without_csrf_token_is_refused(world):
    response = csrf_client().post("/complaints/file/", {"description": "跨站提交", "reporter_phone": "13800138000"})
    assert response.status_code == 403
    assert not Complaint.objects.exists()
