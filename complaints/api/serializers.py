from rest_framework import serializers

from complaints.models import Complaint, Step


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["at", "actor_label", "action", "from_status", "to_status", "note", "public"]


class ComplaintSerializer(serializers.ModelSerializer):
    """A case for other systems: the resident's phone masked, as in lists."""

    category_name = serializers.CharField(source="category.name", read_only=True)
    # A case filed by address has no estate (and may have no street yet): null, as documented.
    street_name = serializers.CharField(source="street.name", read_only=True, default=None, allow_null=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True, default=None, allow_null=True)
    reporter_phone = serializers.CharField(source="masked_phone", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "channel",
            "external_ref",
            "category",
            "category_name",
            "district",
            "street",
            "street_name",
            "community",
            "estate",
            "estate_name",
            "address",
            "building_unit",
            "description",
            "reporter_phone",
            "status",
            "handler",
            "assigned_community",
            "company",
            "rights_unit",
            "escalation",
            "received_at",
            "accept_due",
            "accepted_at",
            "resolve_due",
            "resolved_at",
            "closed_at",
            "due_soon",
            "overdue",
            "reply",
            "upheld_against_company",
            "reopen_count",
            "satisfaction",
        ]
        read_only_fields = fields


class ComplaintDetailSerializer(ComplaintSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "outcome", "steps"]
        read_only_fields = fields
