from decimal import Decimal

import factory

from accounts.models import User
from communities.models import Building, Estate, IllegalStructure, ManagementMode, PropertyRightsUnit, RightsHolding
from core.validators import credit_code_check_character
from org.models import Community, District, StreetOffice


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试{n}区")
    code = factory.Sequence(lambda n: f"{110100 + n:06d}")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StreetOffice

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"第{n}街道")
    code = factory.Sequence(lambda n: f"110101{n:03d}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"第{n}社区")
    code = factory.Sequence(lambda n: f"110101{n:06d}")


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"幸福里{n}号院")
    address = factory.LazyAttribute(lambda o: f"北京市东城区{o.name}")
    year_built = 1988
    building_count = 4
    households = 320
    floor_area = Decimal("21500.50")
    management_mode = ManagementMode.OWNERS


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    number = factory.Sequence(lambda n: f"{n}号楼")
    floors = 6
    entrances = 3
    households = 72
    year_built = 1988


def valid_credit_code(n: int) -> str:
    body = f"91110101{n:09d}"
    return body + credit_code_check_character(body)


class RightsUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyRightsUnit

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"北京第{n}机床厂")
    credit_code = factory.Sequence(valid_credit_code)
    contact_person = "王建国"
    contact_phone = "13812345678"


class HoldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RightsHolding

    estate = factory.SubFactory(EstateFactory)
    rights_unit = factory.SubFactory(RightsUnitFactory)
    rights_form = "reform"


class IllegalStructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IllegalStructure

    estate = factory.SubFactory(EstateFactory)
    description = "楼间小配房"
    area = Decimal("35.5")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()
