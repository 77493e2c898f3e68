"""A company leaving the district (撤出): its contracts end, and it signs no new ones."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from propertymgmt import services
from propertymgmt.models import CompanyStatus, Contract, ManagingBody
from tests.propertymgmt.conftest import ContractFactory

pytestmark = pytest.mark.django_db


def test_withdrawal_ends_every_active_contract_and_leaves_the_estates_unmanaged(world, company):
    services.start_contract(
        user=world.official,
        estate_id=world.estate_a1.pk,
        data={"body": ManagingBody.COMPANY, "company": company, "starts_on": date(2026, 1, 1), "fee_standard": "0.25"},
    )
    services.start_contract(
        user=world.official,
        estate_id=world.estate_b1.pk,
        data={"body": ManagingBody.COMPANY, "company": company, "starts_on": date(2026, 2, 1), "fee_standard": "0.30"},
    )
    services.withdraw_company(
        user=world.official, company_id=company.pk, withdrawn_on=date(2026, 6, 30), reason="经营困难"
    )
    company.refresh_from_db()
    assert company.status == CompanyStatus.WITHDRAWN
    contracts = Contract.objects.filter(company=company)
    assert {c.ended_on for c in contracts} == {date(2026, 6, 30)}
    assert all("企业撤出：经营困难" in c.end_reason for c in contracts)
    world.estate_a1.refresh_from_db()
    assert world.estate_a1.management_mode == "none"


def test_a_withdrawn_company_cannot_sign_a_new_contract(world, company):
    services.withdraw_company(user=world.official, company_id=company.pk, withdrawn_on=date(2026, 6, 30), reason="撤出")
    company.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.start_contract(
            user=world.staff_a,
            estate_id=world.estate_a1.pk,
            data={
                "body": ManagingBody.COMPANY,
                "company": company,
                "starts_on": date(2026, 7, 1),
                "fee_standard": "0.25",
            },
        )
    assert "已撤出" in " ".join(exc.value.messages)


def test_withdrawal_needs_a_reason_and_a_date_not_before_a_contract_start(world, company):
    ContractFactory(estate=world.estate_a1, company=company, starts_on=date(2026, 3, 1))
    with pytest.raises(ValidationError):
        services.withdraw_company(
            user=world.official, company_id=company.pk, withdrawn_on=date(2026, 6, 30), reason=" "
        )
    with pytest.raises(ValidationError) as exc:
        services.withdraw_company(
            user=world.official, company_id=company.pk, withdrawn_on=date(2026, 2, 1), reason="撤出"
        )
    assert "和平里七区" in " ".join(exc.value.messages)
    company.refresh_from_db()
    assert company.status == CompanyStatus.ACTIVE
    assert Contract.objects.get(company=company).ended_on is None


def test_only_the_district_records_a_withdrawal(world, company, client_for):
    url = reverse("propertymgmt:company_withdraw", args=[company.pk])
    data = {"withdrawn_on": "2026-06-30", "reason": "撤出"}
    assert client_for(world.staff_a).post(url, data).status_code == 403
    assert client_for(world.auditor).post(url, data).status_code == 403
    response = client_for(world.official).post(url, data)
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.status == CompanyStatus.WITHDRAWN


def test_the_withdrawal_page_explains_a_bad_date_in_chinese(world, company, client_for):
    url = reverse("propertymgmt:company_withdraw", args=[company.pk])
    page = client_for(world.official).post(url, {"withdrawn_on": "2099-01-01", "reason": "撤出"})
    assert page.status_code == 200 and "撤出日期不能晚于今天" in page.content.decode()
