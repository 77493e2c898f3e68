"""The measures (办理情况) page and its .xlsx, and the working-day calendar."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.scoping import Action, can
from complaints import excel, selectors, services
from complaints.forms import CalendarDayForm
from complaints.models import CalendarDay, Category, Complaint
from core.forms import add_bootstrap_classes, apply_errors
from core.params import MAX_ID, id_param, int_param, year_param
from core.xlsx import xlsx_download

# --- measures ----------------------------------------------------------------------------------

GROUPINGS = [("street", "按街道"), ("district", "按区"), ("category", "按类别"), ("month", "按月份")]


def _measure_params(request):
    """The period and filters of the measures page and its .xlsx; junk is a 400 naming the parameter."""
    year = year_param(request, default=timezone.localdate().year)
    month = int_param(request, "month", default=None, min=1, max=12)
    category_id = int_param(request, "category", default=None, min=1, max=MAX_ID)
    by = request.GET.get("by") if request.GET.get("by") in dict(GROUPINGS) else "street"
    return year, month, category_id, by


@login_required
@require_GET
def measures(request):
    if not can(request.user, Action.VIEW, Complaint):
        raise PermissionDenied(_("您没有查看办理情况的权限。"))
    year, month, category_id, by = _measure_params(request)
    result = selectors.measures(user=request.user, year=year, month=month, category_id=category_id, by=by)
    trend = selectors.measure_trend(user=request.user, year=year, category_id=category_id)
    trend["labels"] = {
        "received": _("收到投诉"),
        "accepted": _("已受理"),
        "resolved": _("已办结"),
        "resolved_rate": _("办结率（%）"),
        "satisfied_rate": _("满意率（%）"),
        "cases": _("件"),
        "save": _("保存为图片"),
    }
    return render(
        request,
        "complaints/measures.html",
        {
            "result": result,
            "trend": trend,
            "year": year,
            "month": month,
            "category_id": category_id,
            "by": by,
            "groupings": GROUPINGS,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "months": range(1, 13),
            "categories": Category.objects.order_by("sort"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def measures_export(request):
    if not can(request.user, Action.EXPORT, Complaint):
        raise PermissionDenied(_("您没有导出的权限。"))
    year, month, category_id, by = _measure_params(request)
    result = selectors.measures(user=request.user, year=year, month=month, category_id=category_id, by=by)
    period = f"{year}年{month}月" if month else f"{year}年"
    title = _("%(p)s物业投诉办理情况统计表") % {"p": period}
    return xlsx_download(
        lambda handle: excel.write_measures(result, handle, user=request.user, title=title),
        filename=f"投诉办理情况_{period}.xlsx",
    )


# --- the calendar ------------------------------------------------------------------------------------


@login_required
def calendar(request):
    year = year_param(request, default=timezone.localdate().year)
    can_edit = can(request.user, Action.CHANGE, CalendarDay)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有区级管理人员可以维护节假日与调休。"))
        if request.POST.get("delete"):
            day_id = id_param(request.POST, "delete")
            if day_id is None:
                raise Http404(_("没有找到该日期。"))
            services.delete_calendar_day(user=request.user, day_id=day_id)
            return redirect(f"{reverse('complaints:calendar')}?year={year}")
        if form.is_valid():
            try:
                data = form.cleaned_data
                row = services.save_calendar_day(
                    user=request.user, day=data["date"], kind=data["kind"], name=data["name"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存 %(d)s。") % {"d": row})
                return redirect(f"{reverse('complaints:calendar')}?year={row.date.year}")
    add_bootstrap_classes(form, small=True)
    return render(
        request,
        "complaints/calendar.html",
        {
            "days": CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)),
            "year": year,
            "form": form,
            "can_edit": can_edit,
        },
    )
