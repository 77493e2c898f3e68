from rest_framework import serializers

from propertymgmt import selectors
from propertymgmt.models import Contract, OwnersVote, Payee, PropertyCompany, SubsidyPayment


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


class PayeeSerializer(serializers.ModelSerializer):
    """A payee record; the account number only masked (6222 **** **** 1234)."""

    body_name = serializers.SerializerMethodField(help_text="收款主体名称")
    account_number = serializers.CharField(source="masked_account", read_only=True, help_text="账号（部分隐藏）")

    class Meta:
        model = Payee
        fields = [
            "id",
            "body",
            "body_name",
            "company",
            "rights_unit",
            "street",
            "committee",
            "account_name",
            "bank",
            "branch",
            "account_number",
            "updated_at",
        ]

    def get_body_name(self, payee) -> str:
        return selectors.body_name(payee)
