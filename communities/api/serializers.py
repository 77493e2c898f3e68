from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api import ScopedModelSerializer
from communities.fields import BUILDING_EDITABLE_FIELDS, ESTATE_EDITABLE_FIELDS, RIGHTS_UNIT_EDITABLE_FIELDS
from communities.models import Building, Estate, PropertyRightsUnit
from org.models import Community, StreetOffice


class StreetOfficeSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = StreetOffice
        fields = ["id", "name", "code", "district", "district_name"]


class CommunitySerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "name", "code", "street", "street_name"]


class EstateSerializer(ScopedModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    street = serializers.IntegerField(source="community.street_id", read_only=True)
    street_name = serializers.CharField(source="community.street.name", read_only=True)
    is_old = serializers.SerializerMethodField()
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("修改时必填：读取时得到的版本号。若他人已先保存，返回409。"),
    )

    class Meta:
        model = Estate
        fields = [
            "id",
            *ESTATE_EDITABLE_FIELDS,
            "fund_balance",
            "fund_holder",
            "fund_holder_unit",
            "community_name",
            "street",
            "street_name",
            "is_old",
            "version",
            "updated_at",
        ]
        # The fund's balance and holder are the maintenance-fund ledger's (read here, written there).
        read_only_fields = ["updated_at", "fund_balance", "fund_holder", "fund_holder_unit"]
        validators = []  # uniqueness and constraints are checked by the service, in its transaction

    def get_is_old(self, estate) -> bool:
        return estate.year_built <= settings.OLD_ESTATE_CUTOFF_YEAR

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": _("修改时须提供读取时的版本号（version）。")})
        return attrs


class BuildingSerializer(ScopedModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = Building
        fields = ["id", "estate", "estate_name", *BUILDING_EDITABLE_FIELDS, "version", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A building stays in its estate: on an edit the estate is not read.
        if self.instance is not None and not isinstance(self.instance, list) and "estate" in self.fields:
            self.fields["estate"].read_only = True

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": _("修改时须提供读取时的版本号（version）。")})
        return attrs


class RightsUnitSerializer(ScopedModelSerializer):
    version = serializers.IntegerField(required=False, min_value=1)
    nobody_responsible = serializers.BooleanField(read_only=True)

    class Meta:
        model = PropertyRightsUnit
        fields = [
            "id",
            "district",
            "street",
            *RIGHTS_UNIT_EDITABLE_FIELDS,
            "nobody_responsible",
            "version",
            "updated_at",
        ]
        read_only_fields = ["district", "street", "updated_at"]
        validators = []

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": _("修改时须提供读取时的版本号（version）。")})
        return attrs
