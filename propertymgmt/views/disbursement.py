"""Disbursement pages (拨付): the batches, one batch to review and release, the
payment instruction, and each line settled as paid or returned."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

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
                    % {"estate": line.paid_to_name, "status": line.get_status_display()},
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


SETTLEMENT_SESSION_KEY = "settlement:%s"
MAX_RETURN_FILE_BYTES = 20 * 1024 * 1024


def _settlement_dir() -> Path:
    path = Path(settings.VAR_DIR) / "settlements"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def batch_settle(request, pk):
    """Upload the return file (回单); its preview shows what it would settle, or every
    problem by row and column. Nothing is written until the preview is confirmed."""
    batch = selectors.batch_for(user=request.user, batch_id=pk)
    if not can(request.user, Action.APPROVE, DisbursementBatch):
        raise PermissionDenied(_("拨付批次由区级管理人员发布和结算。"))
    context = {"batch": batch}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["errors"] = [_("请选择回单文件（.xlsx）。")]
        elif upload.size > MAX_RETURN_FILE_BYTES or not upload.name.lower().endswith(".xlsx"):
            context["errors"] = [_("回单应为不超过20MB的.xlsx文件。")]
        else:
            try:
                result = services.preview_return_file(user=request.user, batch_id=batch.pk, fileobj=upload)
            except ValidationError as error:
                messages.error(request, _errors(error))
                return redirect("propertymgmt:batch_detail", pk=batch.pk)
            context["result"] = result
            context["errors"] = result.errors
            if not result.errors:
                # What the preview found is kept (not the file): the confirmation
                # settles exactly that, without reading 50,000 rows a second time.
                token = secrets.token_hex(16)
                with open(_settlement_dir() / f"{token}.json", "w", encoding="utf-8") as handle:
                    json.dump(result.as_saved(), handle)
                request.session[SETTLEMENT_SESSION_KEY % batch.pk] = token
    return render(request, "propertymgmt/batch_settle.html", context)


@login_required
@require_POST
def batch_settle_confirm(request, pk):
    batch = selectors.batch_for(user=request.user, batch_id=pk)
    if not can(request.user, Action.APPROVE, DisbursementBatch):
        raise PermissionDenied(_("拨付批次由区级管理人员发布和结算。"))
    token = request.session.pop(SETTLEMENT_SESSION_KEY % batch.pk, None)
    path = _settlement_dir() / f"{token}.json" if token and token.isalnum() else None
    if path is None or not path.exists():
        messages.error(request, _("预览已失效，请重新上传回单。"))
        return redirect("propertymgmt:batch_settle", pk=batch.pk)
    try:
        with open(path, encoding="utf-8") as handle:
            previewed = json.load(handle)
        result = services.apply_previewed(user=request.user, batch_id=batch.pk, previewed=previewed)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("propertymgmt:batch_settle", pk=batch.pk)
    finally:
        path.unlink(missing_ok=True)
    messages.success(
        request,
        _("已按回单登记：支付 %(p)s 笔，退回 %(r)s 笔。") % {"p": len(result.paid), "r": len(result.returned)},
    )
    return redirect("propertymgmt:batch_detail", pk=batch.pk)
