from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.scoping import Action, scoped
from communities.fields import BUILDING_EDITABLE_FIELDS, ESTATE_EDITABLE_FIELDS, RIGHTS_UNIT_EDITABLE_FIELDS
from communities.models import Building, Community, Estate, PropertyRightsUnit, StreetOffice


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


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id looked up only among the rows the caller may see.

    An id of another street is refused with the same 400 and the same words as
    an id that does not exist, so the answer reveals nothing outside the
    caller's scope. Whether the caller may write there is the service's
    question (403), asked after this one.
    """

    def __init__(self, **kwargs):
        self.scope_action = kwargs.pop("scope_action", Action.VIEW)
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return scoped(queryset, request.user, self.scope_action)


class ScopedModelSerializer(serializers.ModelSerializer):
    """A model serializer whose every writable foreign key is scoped to the
    caller (ScopedPrimaryKeyRelatedField): no writable serializer can forget one."""

    serializer_related_field = ScopedPrimaryKeyRelatedField


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
            "community_name",
            "street",
            "street_name",
            "is_old",
            "version",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
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
