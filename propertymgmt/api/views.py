"""Read-only REST endpoints of the property app: the same scoping and selectors as the pages."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response

from accounts.api import ScopedReadOnlyViewSet
from core.http import client_ip
from core.params import parse_id
from propertymgmt import selectors, services
from propertymgmt.api.serializers import (
    AssessmentSerializer,
    BatchDetailSerializer,
    BatchSerializer,
    CommitteeSerializer,
    CompanySerializer,
    ContractSerializer,
    FundAccountSerializer,
    PayeeSerializer,
    PaymentSerializer,
    RectificationOrderSerializer,
    VoteSerializer,
)
from propertymgmt.models import (
    Assessment,
    Committee,
    Contract,
    FundAccount,
    FundAccountHolder,
    FundTransaction,
    OwnersVote,
    Payee,
    PropertyCompany,
    RectificationOrder,
    RectificationStatus,
    SubsidyPayment,
)


@extend_schema_view(list=extend_schema(summary="物业服务企业列表"), retrieve=extend_schema(summary="物业服务企业"))
class CompanyViewSet(ScopedReadOnlyViewSet):
    """物业服务企业（本区全部，只读）。"""

    serializer_class = CompanySerializer

    def base_queryset(self):
        return PropertyCompany.objects.order_by("name", "id")


@extend_schema_view(list=extend_schema(summary="物业服务合同列表"), retrieve=extend_schema(summary="物业服务合同"))
class ContractViewSet(ScopedReadOnlyViewSet):
    """物业服务合同，限于调用者的管辖范围。"""

    serializer_class = ContractSerializer

    def base_queryset(self):
        return Contract.objects.select_related("estate", "company", "rights_unit").order_by(
            "estate_id", "-starts_on", "-id"
        )


@extend_schema_view(
    list=extend_schema(summary="业主共同决定列表"), retrieve=extend_schema(summary="业主共同决定及结果")
)
class VoteViewSet(ScopedReadOnlyViewSet):
    """业主共同决定及其结果（面积、人数）。"""

    serializer_class = VoteSerializer

    def base_queryset(self):
        return OwnersVote.objects.select_related("estate").order_by("-opens_on", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="补贴发放列表",
        parameters=[
            OpenApiParameter("period", int, description="补贴期间"),
            OpenApiParameter("street", int, description="街道"),
        ],
    ),
    retrieve=extend_schema(summary="补贴发放"),
)
class PaymentViewSet(ScopedReadOnlyViewSet):
    """补贴发放，每笔附计算依据（面积、标准、得分）。"""

    serializer_class = PaymentSerializer

    def base_queryset(self):
        payments = SubsidyPayment.objects.select_related("estate", "street")
        return selectors.with_payout_state(payments).order_by("period_id", "street_id", "estate_id", "tranche")

    def get_queryset(self):
        queryset = super().get_queryset()
        for name in ("period", "street"):
            value = self.request.query_params.get(name)
            if value and value.isdigit():
                queryset = queryset.filter(**{f"{name}_id": int(value)})
        return queryset


@extend_schema_view(list=extend_schema(summary="收款信息列表"), retrieve=extend_schema(summary="收款信息"))
class PayeeViewSet(ScopedReadOnlyViewSet):
    """管理主体的收款信息（只读）。账号一律部分隐藏；完整账号只在页面上向区级管理人员显示并记录。"""

    serializer_class = PayeeSerializer

    def base_queryset(self):
        return Payee.objects.select_related("company", "rights_unit", "street", "committee__estate").order_by(
            "body", "account_name", "id"
        )


@extend_schema_view(
    list=extend_schema(summary="拨付批次列表", description="每个区、每个补贴期间的拨付批次及其合计。"),
    retrieve=extend_schema(
        summary="拨付批次及明细",
        description="批次及调用者管辖范围内的明细。区级管理人员看到完整账号（每次查看被记录），其他角色部分隐藏。",
    ),
)
class BatchViewSet(ScopedReadOnlyViewSet):
    """补贴拨付批次（只读；发布和结算在页面上由区级管理人员办理）。"""

    serializer_class = BatchSerializer

    def base_queryset(self):
        return selectors.batches_for(user=self.request.user)

    def get_serializer_class(self):
        return BatchDetailSerializer if self.action == "retrieve" else BatchSerializer

    def retrieve(self, request, *args, **kwargs):
        batch = self.get_object()
        lines = list(selectors.batch_lines(user=request.user, batch=batch))
        full = services.may_see_full_account(request.user)
        if full:
            services.log_instruction_views(user=request.user, lines=lines, ip=client_ip(request))
        context = {**self.get_serializer_context(), "lines": lines, "full_accounts": full}
        return Response(BatchDetailSerializer(batch, context=context).data)


@extend_schema_view(
    list=extend_schema(
        summary="业主组织列表", description="业委会、自管会、小区管委会及其阶段和任期，限于调用者的管辖范围。"
    ),
    retrieve=extend_schema(summary="业主组织"),
)
class CommitteeViewSet(ScopedReadOnlyViewSet):
    """业主组织（只读）；联系电话部分隐藏。"""

    serializer_class = CommitteeSerializer

    def base_queryset(self):
        return Committee.objects.select_related("estate").order_by("estate_id", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="物业考核列表", description="月度考核得分、满意度、属实投诉和治安事件，限于调用者的管辖范围。"
    ),
    retrieve=extend_schema(summary="物业考核"),
)
class AssessmentViewSet(ScopedReadOnlyViewSet):
    """物业服务月度考核（只读）。"""

    serializer_class = AssessmentSerializer

    def base_queryset(self):
        return Assessment.objects.select_related("estate", "company").order_by("-month", "estate_id", "id")


@extend_schema_view(
    list=extend_schema(
        summary="限期整改通知列表",
        description="街道下达的限期整改通知及验收结果，限于调用者的管辖范围。",
        parameters=[
            OpenApiParameter(
                "status", str, enum=RectificationStatus.values, description="状态：整改中、已逾期、整改合格、整改不合格"
            )
        ],
    ),
    retrieve=extend_schema(summary="限期整改通知"),
)
class RectificationOrderViewSet(ScopedReadOnlyViewSet):
    """限期整改通知（只读；下达和验收在页面上由街道办理）。"""

    serializer_class = RectificationOrderSerializer

    def base_queryset(self):
        return (
            RectificationOrder.objects.select_related("company", "street")
            .prefetch_related("estates")
            .order_by("-issued_on", "-id")
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        condition = selectors.status_q(self.request.query_params.get("status", ""), timezone.localdate())
        return queryset if condition is None else queryset.filter(condition)


@extend_schema_view(
    list=extend_schema(
        summary="维修资金账户列表",
        description="维修资金账户及其持有方、余额（流水合计）和流水（按记账日期），限于调用者的管辖范围。",
        parameters=[
            OpenApiParameter("street", int, description="街道"),
            OpenApiParameter(
                "holder",
                str,
                description="资金持有方；selling_unit_gone 为已不存在的售房单位",
                enum=[*FundAccountHolder.values, selectors.SELLING_UNIT_GONE],
            ),
            OpenApiParameter("below_threshold", bool, description="只列余额低于首期交存额30%的账户"),
        ],
    ),
    retrieve=extend_schema(summary="维修资金账户及流水"),
)
class FundAccountViewSet(ScopedReadOnlyViewSet):
    """维修资金账户（只读）：余额是流水的合计，不是填报的数字。"""

    serializer_class = FundAccountSerializer

    def base_queryset(self):
        return self._ordered(selectors.with_figures(FundAccount.objects.all()))

    @staticmethod
    def _ordered(queryset):
        return (
            queryset.select_related("estate__community", "building", "holder_unit")
            .prefetch_related(Prefetch("transactions", queryset=FundTransaction.objects.order_by("booked_on", "id")))
            .order_by("estate_id", "building_id", "id")
        )

    def get_queryset(self):
        params = self.request.query_params
        return self._ordered(
            selectors.fund_accounts_for(
                user=self.request.user,
                street_id=parse_id(params.get("street")),
                holder=params.get("holder", ""),
                below=params.get("below_threshold", "").lower() in ("1", "true"),
            )
        )
