"""The demo data: made once, realistic, and consistent with the rules."""

import random

import pytest
from django.core.management import call_command

from core.validators import is_valid_credit_code
from propertymgmt import demo
from propertymgmt.models import Contract, OwnersVote, PropertyCompany, SubsidyPayment

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_property_data_once(capsys):
    call_command("seed_demo", estates=60)
    out = capsys.readouterr().out
    assert "物业管理演示数据" in out
    assert Contract.objects.exists() and SubsidyPayment.objects.exists()
    assert OwnersVote.objects.filter(status="closed").count() == 1
    assert all(is_valid_credit_code(code) for code in PropertyCompany.objects.values_list("credit_code", flat=True))
    from org.models import District

    assert demo.seed(district=District.objects.get(code="110101"), rng=random.Random(1)) is None
