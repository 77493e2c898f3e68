from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.validators import mask_account_number, mask_mobile
from propertymgmt import selectors
from propertymgmt.models import (
    Assessment,
    BatchLine,
    Committee,
    Contract,
    DisbursementBatch,
    FundAccount,
    FundTransaction,
    OwnersVote,
    Payee,
    PropertyCompany,
    RectificationOrder,
    RectificationStatus,
    SubsidyPayment,
)


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
    payout = serializers.SerializerMethodField(
        help_text="拨付状态：proposed 待审批、approved 已审批待拨付、pending 已纳入批次、reissued 已重新拨付、"
        "paid 已支付、returned 已退回"
    )

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
            "payout",
        ]

    def get_payout(self, payment) -> str:
        return selectors.payout_state(payment)


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


class BatchLineSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="paid_to_name", read_only=True, help_text="小区（以奖代补为街道或社区）")
    account_number = serializers.SerializerMethodField(
        help_text="账号：区级管理人员为完整账号（查看被记录），其他角色部分隐藏"
    )

    class Meta:
        model = BatchLine
        fields = [
            "id",
            "payment",
            "award",
            "estate_name",
            "street",
            "account_name",
            "bank",
            "account_number",
            "amount",
            "status",
            "reason",
            "reissue_of",
            "settled_at",
        ]

    def get_account_number(self, line) -> str:
        if self.context.get("full_accounts"):
            return line.account_number
        return mask_account_number(line.account_number)


class BatchSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    returned = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = DisbursementBatch
        fields = [
            "id",
            "number",
            "period",
            "period_label",
            "status",
            "released_at",
            "line_count",
            "amount",
            "paid",
            "returned",
        ]


class BatchDetailSerializer(BatchSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "lines"]

    @extend_schema_field(BatchLineSerializer(many=True))
    def get_lines(self, batch) -> list:
        return BatchLineSerializer(self.context["lines"], many=True, context=self.context).data


class CommitteeSerializer(serializers.ModelSerializer):
    """An owners' committee (or 自管会 / 小区管委会) and where it stands; the chair's
    phone number masked (personal information)."""

    estate_name = serializers.CharField(source="estate.name", read_only=True)
    contact_phone = serializers.SerializerMethodField(help_text="联系电话（部分隐藏）")

    class Meta:
        model = Committee
        fields = [
            "id",
            "estate",
            "estate_name",
            "kind",
            "stage",
            "term_starts_on",
            "term_ends_on",
            "filed_on",
            "chair",
            "contact_phone",
        ]

    def get_contact_phone(self, committee) -> str:
        return mask_mobile(committee.contact_phone) if committee.contact_phone else ""


class AssessmentSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True, default="")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "contract",
            "estate",
            "estate_name",
            "company",
            "company_name",
            "month",
            "score",
            "item_scores",
            "satisfaction",
            "complaints_upheld",
            "security_incidents",
        ]


class RectificationOrderSerializer(serializers.ModelSerializer):
    """限期整改通知 with its derived status (整改中、已逾期、整改合格、整改不合格)."""

    company_name = serializers.CharField(source="company.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)
    status = serializers.SerializerMethodField(
        help_text="open 整改中 / overdue 已逾期 / passed 整改合格 / failed 整改不合格"
    )

    class Meta:
        model = RectificationOrder
        fields = [
            "id",
            "company",
            "company_name",
            "street",
            "street_name",
            "estates",
            "problems",
            "deadline",
            "checker",
            "issued_on",
            "result",
            "checked_on",
            "check_remarks",
            "status",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=RectificationStatus.choices))
    def get_status(self, order) -> str:
        return order.status


class FundTransactionSerializer(serializers.ModelSerializer):
    signed_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="带符号的金额：使用、转出为负。"
    )

    class Meta:
        model = FundTransaction
        fields = ["id", "kind", "amount", "signed_amount", "booked_on", "note", "withdrawal"]


class FundAccountSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    street = serializers.IntegerField(source="estate.community.street_id", read_only=True)
    building_number = serializers.CharField(source="building.number", read_only=True, default=None)
    holder_unit_name = serializers.CharField(source="holder_unit.name", read_only=True, default=None)
    holder_unit_gone = serializers.BooleanField(read_only=True, help_text="售房单位已不存在（据产权单位的状态）。")
    balance = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, help_text="流水合计。")
    initial_deposit = serializers.DecimalField(
        source="initial", max_digits=16, decimal_places=2, read_only=True, help_text="首期交存合计。"
    )
    below_threshold = serializers.SerializerMethodField(help_text="余额低于首期交存额的30%。")
    transactions = FundTransactionSerializer(many=True, read_only=True)

    class Meta:
        model = FundAccount
        fields = [
            "id",
            "estate",
            "estate_name",
            "street",
            "building",
            "building_number",
            "holder",
            "holder_unit",
            "holder_unit_name",
            "holder_unit_gone",
            "bank",
            "opened_on",
            "balance",
            "initial_deposit",
            "below_threshold",
            "transactions",
        ]

    def get_below_threshold(self, account) -> bool:
        return selectors.is_below(account.balance, account.initial)
