"""Property pages of the quarterly subsidies: rates, runs, approval and the payment list."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can
from communities.choices import ManagementMode
from communities.selectors import streets_for
from core.exports import start_export
from core.pagination import paginate
from core.params import MAX_ID, int_param
from core.xlsx import xlsx_download
from propertymgmt import selectors, services
from propertymgmt.exports import EXPORT_KIND, write_payments, write_reconciliation
from propertymgmt.models import SubsidyPayment, SubsidyRate, Tranche


@login_required
@require_GET
def subsidy_periods(request):
    periods = list(selectors.periods_for(user=request.user)[:40])
    rates = []
    if request.user.district_id:
        labels = dict(ManagementMode.choices)
        rates = [
            (labels.get(r.management_mode, r.management_mode), r.rate, r.district_id is not None)
            for r in selectors.subsidy_rates(district_id=request.user.district_id)
        ]
    return render(
        request,
        "propertymgmt/subsidyperiod_list.html",
        {
            "periods": periods,
            "rates": rates,
            "can_approve": can(request.user, Action.APPROVE, SubsidyPayment),
            "modes": [m for m in ManagementMode.choices if m[0] != ManagementMode.NONE],
        },
    )


@login_required
@require_POST
def subsidy_rate_set(request):
    if not can(request.user, Action.CHANGE, SubsidyRate):
        raise PermissionDenied(_("补贴标准由区级管理人员设置。"))
    try:
        rate = Decimal(request.POST.get("rate", ""))
        services.set_subsidy_rate(user=request.user, management_mode=request.POST.get("mode", ""), rate=rate)
    except InvalidOperation:
        messages.error(request, _("补贴标准应为数字（元/㎡·年）。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("补贴标准已更新，下一次生成的补贴按新标准计算。"))
    return redirect("propertymgmt:subsidy_periods")


@login_required
@require_POST
def subsidy_run(request):
    """Run now what the daily task runs, for the official's district: the result is a
    list of proposed payments to preview before approving."""
    if not can(request.user, Action.APPROVE, SubsidyPayment) or not request.user.district_id:
        raise PermissionDenied(_("只有区级管理人员可以生成补贴。"))
    period = services.ensure_period(district_id=request.user.district_id, day=timezone.localdate())
    added = services.run_advance(period_id=period.pk)
    messages.success(request, _("已生成%(n)s笔预拨款，请预览后审批。") % {"n": added})
    return redirect("propertymgmt:subsidy_payments", period_pk=period.pk)


def _street_param(request):
    """The street to narrow the payments to; junk is a 400 naming `street`."""
    return int_param(request, "street", default=None, min=1, max=MAX_ID)


@login_required
def subsidy_payments(request, period_pk):
    period = selectors.period_for(user=request.user, period_id=period_pk)
    street_id = _street_param(request)
    if request.method == "POST":
        tranche = request.POST.get("tranche")
        if tranche not in Tranche.values:
            raise Http404
        try:
            count = services.approve_payments(
                user=request.user, period_id=period.pk, tranche=tranche, street_id=street_id
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        messages.success(request, _("已审批%(n)s笔补贴。") % {"n": count})
        return redirect(request.get_full_path())
    queryset = selectors.payments_for(user=request.user, period_id=period.pk, street_id=street_id)
    return render(
        request,
        "propertymgmt/subsidypayment_list.html",
        {
            "period": period,
            "page": paginate(request, queryset, rows=selectors.with_payout_state),
            "totals": selectors.payment_totals(queryset),
            "streets": streets_for(user=request.user),
            "street_id": street_id,
            "can_approve": can(request.user, Action.APPROVE, SubsidyPayment),
            "query": f"street={street_id}" if street_id else "",
        },
    )


@login_required
@require_GET
def subsidy_export(request, period_pk):
    period = selectors.period_for(user=request.user, period_id=period_pk)
    if not can(request.user, Action.EXPORT, SubsidyPayment):
        raise PermissionDenied(_("您没有导出的权限。"))
    street_id = _street_param(request)
    queryset = selectors.payments_for(user=request.user, period_id=period.pk, street_id=street_id, action=Action.EXPORT)
    filename = f"物业补贴发放表-{period.label}-{date.today():%Y%m%d}.xlsx"
    total = queryset.count()
    if total > settings.EXPORT_SYNC_MAX_ROWS:
        job = start_export(
            user=request.user,
            kind=EXPORT_KIND,
            total_rows=total,
            params={"period": period.pk, "street": street_id, "filename": filename},
        )
        return redirect("core:export_job", pk=job.pk)
    return xlsx_download(
        lambda handle: write_payments(queryset, handle, period=period, user=request.user), filename=filename
    )


@login_required
@require_GET
def subsidy_reconciliation(request, period_pk):
    """对账: approved against released, paid and returned, by street, with the payments not paid."""
    period = selectors.period_for(user=request.user, period_id=period_pk)
    street_id = _street_param(request)
    report = selectors.reconciliation(user=request.user, period_id=period.pk, street_id=street_id)
    return render(
        request,
        "propertymgmt/subsidy_reconciliation.html",
        {"period": period, "report": report, "streets": streets_for(user=request.user), "street_id": street_id},
    )


@login_required
@require_GET
def subsidy_reconciliation_export(request, period_pk):
    period = selectors.period_for(user=request.user, period_id=period_pk)
    if not can(request.user, Action.EXPORT, SubsidyPayment):
        raise PermissionDenied(_("您没有导出的权限。"))
    street_id = _street_param(request)
    report = selectors.reconciliation(user=request.user, period_id=period.pk, street_id=street_id, limit=100_000)
    return xlsx_download(
        lambda handle: write_reconciliation(report, handle, period=period, user=request.user),
        filename=f"补贴对账表-{period.label}-{date.today():%Y%m%d}.xlsx",
    )
