from rest_framework import serializers

from propertymgmt.models import Contract, OwnersVote, PropertyCompany, SubsidyPayment


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = PropertyCompany
        fields = ["id", "name", "credit_code", "contact_person", "address", "status"]


class ContractSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    body_name = serializers.CharField(read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "estate",
            "estate_name",
            "body",
            "body_name",
            "company",
            "starts_on",
            "ends_on",
            "ended_on",
            "end_reason",
            "service_level",
            "fee_standard",
            "full_service",
            "cleaning",
            "security",
            "greening",
            "repairs",
        ]


class VoteSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)

    class Meta:
        model = OwnersVote
        fields = [
            "id",
            "estate",
            "estate_name",
            "subject",
            "title",
            "opens_on",
            "closes_on",
            "status",
            "quorum",
            "threshold",
            "threshold_inclusive",
            "eligible_area",
            "eligible_heads",
            "participating_area",
            "participating_heads",
            "agreeing_area",
            "agreeing_heads",
            "quorum_met",
            "passed",
            "closed_at",
        ]


class PaymentSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)

    class Meta:
        model = SubsidyPayment
        fields = [
            "id",
            "period",
            "tranche",
            "estate",
            "estate_name",
            "street",
            "street_name",
            "management_mode",
            "area",
            "rate",
            "months",
            "share",
            "score",
            "factor",
            "amount",
            "status",
            "approved_at",
        ]
