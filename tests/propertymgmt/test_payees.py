"""Payees (收款信息, issue 16): checked account numbers, masked everywhere below the
district's payee page, every full view logged, kept by the right office, and the
approved payments that cannot be paid listed with their reason."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from communities.models import Estate
from core.validators import mask_account_number
from propertymgmt import selectors, services
from propertymgmt.models import Committee, CommitteeKind, CommitteeStage, ManagingBody, Payee, PayeeAccountView
from tests.propertymgmt.conftest import ContractFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "6222021234567891234"
MASKED = "6222 **** **** 1234"
DETAILS = {"account_name": "安居物业服务有限公司", "bank": "中国工商银行", "branch": "和平里支行"}


def _company_payee(world, company, number=ACCOUNT):
    return services.save_payee(
        user=world.official,
        data={**DETAILS, "account_number": number},
        body="company",
        target_id=company.pk,
    )


def test_account_numbers_are_digits_8_to_32_kept_without_spaces(world, company):
    payee = _company_payee(world, company, number="6222 0212 3456 7891 234")
    assert payee.account_number == ACCOUNT and payee.masked_account == MASKED
    for bad in ("1234567", "6222-abc-1234", "1" * 33, ""):
        with pytest.raises(ValidationError) as exc:
            services.save_payee(user=world.official, data={"account_number": bad}, payee_id=payee.pk)
        assert exc.value.message_dict["account_number"], bad  # the field named, in Chinese
    with pytest.raises(ValidationError, match="8至32位数字"):
        services.save_payee(user=world.official, data={"account_number": "1234567"}, payee_id=payee.pk)
    payee.refresh_from_db()
    assert payee.account_number == ACCOUNT  # nothing half-saved


def test_the_database_refuses_a_malformed_number_and_a_second_record_for_one_body(world, company):
    payee = _company_payee(world, company)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payee.objects.filter(pk=payee.pk).update(account_number="12ab5678")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payee.objects.create(
            district=world.district, body="company", company=company, **DETAILS, account_number=ACCOUNT
        )
    with pytest.raises(ValidationError, match="已有收款信息"):
        _company_payee(world, company)


def test_mask_shows_first_and_last_four_whatever_the_length():
    assert mask_account_number("12345678") == "1234 **** **** 5678"
    assert mask_account_number("1" * 28 + "9876") == "1111 **** **** 9876"
    assert mask_account_number("123") == "***"


def test_street_keeps_its_centre_and_committees_but_not_a_companys_record(world, company):
    centre = services.save_payee(
        user=world.staff_a,
        data={**DETAILS, "account_name": "和平里街道物业服务中心", "account_number": "110060149018170123456"},
        body="street_centre",
        target_id=world.street_a.pk,
    )
    assert centre.street == world.street_a and centre.district == world.district
    with pytest.raises(PermissionDenied):
        services.save_payee(
            user=world.staff_a, data={**DETAILS, "account_number": ACCOUNT}, body="company", target_id=company.pk
        )
    assert not Payee.objects.filter(company=company).exists()
    # Another street's centre is not in the street's scope: not found, nothing written.
    from django.http import Http404

    with pytest.raises(Http404):
        services.save_payee(
            user=world.staff_a,
            data={**DETAILS, "account_number": ACCOUNT},
            body="street_centre",
            target_id=world.street_b.pk,
        )


def test_lists_and_api_show_the_number_masked_to_everyone(world, company, client_for):
    payee = _company_payee(world, company)
    for user in (world.official, world.auditor):
        client = client_for(user)
        page = client.get(reverse("propertymgmt:payee_list")).content.decode()
        assert MASKED in page and ACCOUNT not in page
        detail = client.get(reverse("propertymgmt:payee_detail", args=[payee.pk])).content.decode()
        assert MASKED in detail and ACCOUNT not in detail
        api = client.get("/api/v1/payees/").json()["results"]
        assert [row["account_number"] for row in api] == [MASKED]
        assert ACCOUNT not in client.get(f"/api/v1/payees/{payee.pk}/").content.decode()


def test_history_shows_changes_with_numbers_masked(world, company, client_for):
    payee = _company_payee(world, company)
    services.save_payee(user=world.official, data={"account_number": "9558801234567890"}, payee_id=payee.pk)
    page = client_for(world.official).get(reverse("propertymgmt:payee_detail", args=[payee.pk])).content.decode()
    history = page.split('id="history"')[1].split("</table>")[0]
    assert f"{MASKED} → 9558 **** **** 7890" in history
    assert "9558801234567890" not in page


def test_only_district_officials_see_the_full_number_and_each_view_is_logged(world, company, client_for):
    payee = _company_payee(world, company)
    url = reverse("propertymgmt:payee_reveal", args=[payee.pk])
    shown = client_for(world.official).post(url).content.decode()
    assert ACCOUNT in shown.split('id="account"')[1].split("</dd>")[0]
    view = PayeeAccountView.objects.get()
    assert view.user == world.official and view.payee == payee
    assert client_for(world.auditor).post(url).status_code == 403
    assert client_for(world.staff_b).post(url).status_code == 404
    assert PayeeAccountView.objects.count() == 1
    log = client_for(world.official).get(reverse("propertymgmt:payee_detail", args=[payee.pk])).content.decode()
    assert (world.official.get_full_name() or world.official.username) in log.split('id="views"')[1]


def test_community_workers_and_other_streets_do_not_see_payees(world, company, client_for):
    centre = services.save_payee(
        user=world.staff_a,
        data={**DETAILS, "account_number": ACCOUNT},
        body="street_centre",
        target_id=world.street_a.pk,
    )
    assert client_for(world.staff_b).get(reverse("propertymgmt:payee_detail", args=[centre.pk])).status_code == 404
    assert client_for(world.worker_a1).get("/api/v1/payees/").json()["results"] == []
    assert client_for(world.staff_a).get("/api/v1/payees/").json()["count"] == 1


def test_edit_form_never_sends_the_number_back_and_blank_keeps_it(world, company, client_for):
    payee = _company_payee(world, company)
    client = client_for(world.official)
    url = reverse("propertymgmt:payee_edit", args=[payee.pk])
    form = client.get(url).content.decode()
    assert ACCOUNT not in form and MASKED in form
    response = client.post(url, {**DETAILS, "bank": "中国建设银行", "account_number": ""})
    assert response.status_code == 302
    payee.refresh_from_db()
    assert (payee.bank, payee.account_number) == ("中国建设银行", ACCOUNT)
    refused = client.post(url, {**DETAILS, "account_number": "12 34"})
    assert refused.status_code == 200 and "8至32位数字" in refused.content.decode()


def _approved_payment(world, estate):
    from propertymgmt.models import SubsidyPayment

    period = services.ensure_period(district_id=world.district.pk, day=date(2026, 2, 10))
    return SubsidyPayment.objects.create(
        period=period,
        tranche="advance",
        estate=estate,
        street=estate.community.street,
        management_mode="market",
        area=Decimal("1000.00"),
        rate=Decimal("1.20"),
        months=3,
        share=Decimal("0.700"),
        amount=Decimal("210.00"),
        status="approved",
        approved_at=timezone.now(),
        approved_by=world.official,
    )


def test_receivers_follow_the_active_contract_and_name_what_is_missing(world, company):
    Estate.objects.filter(pk__in=[world.estate_a1.pk, world.estate_a2.pk, world.estate_b1.pk]).update(
        management_mode="market"
    )
    ContractFactory(estate=world.estate_a1, company=company)
    ContractFactory(estate=world.estate_a2, body=ManagingBody.OWNERS, company=None)
    ContractFactory(estate=world.estate_b1, body=ManagingBody.STREET_CENTRE, company=None)
    receivers = selectors.receivers_of_estates([world.estate_a1.pk, world.estate_a2.pk, world.estate_b1.pk])
    assert (
        receivers[world.estate_a1.pk].target_id == company.pk
        and "尚未登记收款信息" in receivers[world.estate_a1.pk].reason
    )
    assert "业委会或自管会" in receivers[world.estate_a2.pk].reason
    assert receivers[world.estate_b1.pk].body == "street_centre"
    committee = Committee.objects.create(
        estate=world.estate_a2, kind=CommitteeKind.SELF_MANAGEMENT, stage=CommitteeStage.IN_TERM
    )
    payee = _company_payee(world, company)
    own = services.save_payee(
        user=world.staff_a,
        data={**DETAILS, "account_number": "62170012345678"},
        body="committee",
        target_id=committee.pk,
    )
    receivers = selectors.receivers_of_estates([world.estate_a1.pk, world.estate_a2.pk])
    assert receivers[world.estate_a1.pk].payee == payee and receivers[world.estate_a2.pk].payee == own


def test_missing_list_shows_approved_payments_without_a_payee_to_their_street(world, company, client_for):
    ContractFactory(estate=world.estate_a1, company=company)
    _approved_payment(world, world.estate_a1)
    _approved_payment(world, world.estate_b1)  # no contract at all
    page = client_for(world.staff_a).get(reverse("propertymgmt:payees_missing")).content.decode()
    table = page.split('id="missing"')[1]
    assert world.estate_a1.name in table and world.estate_b1.name not in table
    assert "由区级管理人员登记" in table  # a company's record is the district's to keep
    district = client_for(world.official).get(reverse("propertymgmt:payees_missing")).content.decode()
    assert f"?body=company&amp;target={company.pk}" in district and "无法确定收款主体" in district
    _company_payee(world, company)
    again = client_for(world.official).get(reverse("propertymgmt:payees_missing")).content.decode()
    assert world.estate_a1.name not in again.split('id="missing"')[1]


def test_missing_list_and_receivers_take_constant_queries(world, company, django_assert_max_num_queries):
    for estate in (world.estate_a1, world.estate_a2, world.estate_b1):
        ContractFactory(estate=estate, company=company)
        _approved_payment(world, estate)
    with django_assert_max_num_queries(4):
        missing = selectors.payments_missing_payee(user=world.official)
    assert len(missing) == 3
