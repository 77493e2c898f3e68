"""Disbursement pages (拨付): the batches, one batch to review and release, the
payment instruction, and each line settled as paid or returned."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.scoping import Action, can
from core.http import client_ip
from core.pagination import paginate
from core.params import id_param
from core.xlsx import xlsx_download
from propertymgmt import selectors, services
from propertymgmt.exports import write_instruction
from propertymgmt.models import DisbursementBatch


@login_required
@require_GET
def batch_list(request):
    page = paginate(request, selectors.batches_for(user=request.user))
    return render(request, "propertymgmt/batch_list.html", {"page": page})


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def batch_detail(request, pk):
    batch = selectors.batch_for(user=request.user, batch_id=pk)
    if request.method == "POST":
        try:
            if "release" in request.POST:
                services.release_batch(user=request.user, batch_id=batch.pk)
                messages.success(request, _("批次已发布，可下载拨付指令报送财政。"))
            else:
                line_id = id_param(request.POST, "line")
                paid = request.POST.get("outcome") == "paid"
                line = services.settle_line(
                    user=request.user, line_id=line_id, paid=paid, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request,
                    _("已登记%(estate)s：%(status)s。")
                    % {"estate": line.payment.estate.name, "status": line.get_status_display()},
                )
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("propertymgmt:batch_detail", pk=batch.pk)
    lines = selectors.batch_lines(user=request.user, batch=batch)
    page = paginate(request, lines)
    return render(
        request,
        "propertymgmt/batch_detail.html",
        {
            "batch": batch,
            "page": page,
            "review": selectors.batch_review(user=request.user, batch=batch),
            "can_decide": can(request.user, Action.APPROVE, DisbursementBatch),
        },
    )


@login_required
@require_GET
def batch_instruction(request, pk):
    """The released batch's payment instruction, with full account numbers: district
    officials only, and each payee's number counted as seen (the account view log)."""
    batch = selectors.batch_for(user=request.user, batch_id=pk)
    if not services.may_see_full_account(request.user):
        raise PermissionDenied(_("拨付指令含完整账号，仅区级管理人员可下载。"))
    if batch.status != DisbursementBatch.Status.RELEASED:
        messages.error(request, _("批次发布后才能下载拨付指令。"))
        return redirect("propertymgmt:batch_detail", pk=batch.pk)
    lines = list(selectors.batch_lines(user=request.user, batch=batch))
    services.log_instruction_views(user=request.user, lines=lines, ip=client_ip(request))
    return xlsx_download(
        lambda handle: write_instruction(lines, handle, batch=batch), filename=f"拨付指令-{batch.number}.xlsx"
    )
