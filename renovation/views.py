"""Renovation pages. Views parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can, get_scoped_object_or_404
from core.forms import apply_errors
from core.pagination import PAGE_SIZES, paginate
from core.params import year_param
from renovation import forms, reports, selectors, services
from renovation.filtersets import filter_projects
from renovation.models import (
    CatalogueItem,
    FiveYearPlan,
    FundingLine,
    Gate,
    ProgressPhoto,
    Project,
    ScheduleReminder,
    Stage,
    WorkItem,
)


def _query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@login_required
@require_GET
def project_list(request):
    filterset, queryset = filter_projects(user=request.user, params=request.GET, request=request)
    queryset = selectors.with_behind_flag(queryset)
    page = paginate(request, queryset, count=queryset.order_by().count(), rows=selectors.with_over_budget)
    reminders = (
        selectors.reminders_for(user=request.user).filter(week=services.week_of(selectors.today()))
        if can(request.user, Action.CHANGE, Project)
        else ScheduleReminder.objects.none()
    )
    context = {
        "filterset": filterset,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "query": _query_without(request, "page"),
        "can_create": can(request.user, Action.CREATE, Project),
        "can_approve": can(request.user, Action.APPROVE, Project),
        "reminders": list(reminders[:20]),
    }
    filterset.prepare_form(filterset.form)
    return render(request, "renovation/project_list.html", context)


@login_required
def project_create(request):
    if not can(request.user, Action.CREATE, Project):
        raise PermissionDenied(_("您没有新增改造项目的权限。"))
    form = forms.ProjectCreateForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新增改造项目“%(name)s”。") % {"name": project.name})
            return redirect("renovation:project_detail", pk=project.pk)
    return _form_page(request, form, _("新增改造项目"), reverse("renovation:project_list"))


def _form_page(request, form, heading, cancel_url, *, project=None, multipart=False, status=200):
    return render(
        request,
        "renovation/simple_form.html",
        {"form": form, "heading": heading, "cancel_url": cancel_url, "project": project, "multipart": multipart},
        status=status,
    )


@login_required
@require_GET
def project_detail(request, pk):
    project = selectors.project_detail(user=request.user, project_id=pk)
    budget_rows, over_budget = selectors.budget_by_category(project)
    may_change = (
        can(request.user, Action.CHANGE, Project)
        and selectors.projects_for(user=request.user, action=Action.CHANGE).filter(pk=pk).exists()
    )
    context = {
        "project": project,
        "gates": selectors.evaluate_gates(project),
        "behind": selectors.is_behind(project),
        "behind_reason": selectors.behind_reason(project),
        "moves": project.moves.select_related("moved_by"),
        "next_stages": [(value, label) for value, label in Stage.choices if value in services.allowed_moves(project)],
        "work_items": project.work_items.select_related("item"),
        "budget_rows": budget_rows,
        "over_budget": over_budget,
        "funding": project.funding.select_related("work_item__item"),
        "funding_totals": selectors.funding_by_source(project),
        "consultations": project.consultations.all(),
        "reports": project.progress_reports.select_related("reported_by").prefetch_related("photos"),
        "reminders": project.reminders.all()[:10],
        "can_change": may_change,
        "can_approve": can(request.user, Action.APPROVE, Project),
        "pre_construction": project.stage in selectors.PRE_CONSTRUCTION_STAGES,
        "move_form": forms.MoveForm(),
    }
    return render(request, "renovation/project_detail.html", context)


@login_required
def project_edit(request, pk):
    project = selectors.project_detail(user=request.user, project_id=pk, action=Action.CHANGE)
    form = forms.ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(user=request.user, project_id=pk, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("renovation:project_detail", pk=pk)
    return _form_page(
        request, form, _("编辑改造项目"), reverse("renovation:project_detail", args=[pk]), project=project
    )


@login_required
@require_POST
def project_move(request, pk):
    form = forms.MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要转入的阶段。"))
        return redirect("renovation:project_detail", pk=pk)
    try:
        services.move_stage(
            user=request.user, project_id=pk, to_stage=form.cleaned_data["to_stage"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("阶段已变更。"))
    return redirect("renovation:project_detail", pk=pk)


@login_required
def gate_override(request, pk, gate):
    project = selectors.project_detail(user=request.user, project_id=pk, action=Action.APPROVE)
    if gate not in Gate.values:
        raise PermissionDenied(_("开工条件无效。"))
    form = forms.OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.override_gate(user=request.user, project_id=pk, gate=gate, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已批准例外，理由已记录。"))
            return redirect("renovation:project_detail", pk=pk)
    heading = _("批准开工条件例外：%(gate)s") % {"gate": Gate(gate).label}
    return _form_page(request, form, heading, reverse("renovation:project_detail", args=[pk]), project=project)


def _project_form(request, pk, form_class, heading, save, *, multipart=False, form_kwargs=None, instance_form=False):
    """A small form on a project the user may change: validate, call the service, go back."""
    project = selectors.project_detail(user=request.user, project_id=pk, action=Action.CHANGE)
    kwargs = dict(form_kwargs or {})
    if multipart:
        form = form_class(request.POST or None, request.FILES or None, **kwargs)
    else:
        form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(project, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("renovation:project_detail", pk=pk)
    return _form_page(
        request, form, heading, reverse("renovation:project_detail", args=[pk]), project=project, multipart=multipart
    )


@login_required
def street_consent(request, pk):
    def save(project, data):
        services.record_street_consent(user=request.user, project_id=project.pk, **data)

    return _project_form(request, pk, forms.StreetConsentForm, _("登记街道同意意见"), save)


@login_required
def fund_arrangement(request, pk):
    def save(project, data):
        services.record_fund_arrangement(user=request.user, project_id=project.pk, **data)

    return _project_form(request, pk, forms.FundArrangementForm, _("登记维修资金筹集方案"), save)


@login_required
def work_item_edit(request, pk, item_pk=None):
    instance = None
    if item_pk is not None:
        instance = get_scoped_object_or_404(
            WorkItem.objects.all(), request.user, Action.CHANGE, pk=item_pk, project_id=pk
        )

    def save(project, data):
        services.save_work_item(user=request.user, project_id=project.pk, work_item_id=item_pk, **data)

    return _project_form(
        request, pk, forms.WorkItemForm, _("改造内容"), save, form_kwargs={"instance": instance} if instance else None
    )


@login_required
def funding_edit(request, pk, line_pk=None):
    project = selectors.project_detail(user=request.user, project_id=pk, action=Action.CHANGE)
    kwargs = {"project": project}
    if line_pk is not None:
        kwargs["instance"] = get_scoped_object_or_404(
            FundingLine.objects.all(), request.user, Action.CHANGE, pk=line_pk, project_id=pk
        )

    def save(project, data):
        services.save_funding_line(user=request.user, project_id=project.pk, line_id=line_pk, **data)

    return _project_form(request, pk, forms.FundingLineForm, _("资金来源"), save, form_kwargs=kwargs)


@login_required
def consultation_add(request, pk):
    def save(project, data):
        services.add_consultation(user=request.user, project_id=project.pk, **data)

    return _project_form(request, pk, forms.ConsultationForm, _("登记征求意见"), save)


@login_required
def progress_add(request, pk):
    def save(project, data):
        services.add_progress_report(user=request.user, project_id=project.pk, **data)

    return _project_form(request, pk, forms.ProgressForm, _("报告形象进度"), save, multipart=True)


@login_required
@require_GET
def photo_download(request, pk):
    photo = get_scoped_object_or_404(ProgressPhoto.objects.all(), request.user, pk=pk)
    stem = photo.original_name.rsplit(".", 1)[0]  # stored re-encoded as JPEG
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type, filename=f"{stem}.jpg")


# Plans and catalogue ---------------------------------------------------------


@login_required
def plan_list(request):
    plans = selectors.plans_for(user=request.user).prefetch_related("years")
    can_plan = can(request.user, Action.CREATE, FiveYearPlan)
    plan_form = forms.FiveYearPlanForm(request.POST or None, prefix="plan") if can_plan else None
    year_form = forms.AnnualPlanForm(request.POST or None, prefix="year", user=request.user) if can_plan else None
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied(_("只有区级管理人员可以制定改造计划。"))
        try:
            if "plan-name" in request.POST and plan_form.is_valid():
                services.create_five_year_plan(
                    user=request.user, district=request.user.district, **plan_form.cleaned_data
                )
                messages.success(request, _("已新增五年规划。"))
                return redirect("renovation:plan_list")
            if "year-year" in request.POST and year_form.is_valid():
                services.create_annual_plan(user=request.user, **year_form.cleaned_data)
                messages.success(request, _("已新增年度计划。"))
                return redirect("renovation:plan_list")
        except ValidationError as exc:
            apply_errors(plan_form if "plan-name" in request.POST else year_form, exc)
    context = {"plans": plans, "plan_form": plan_form, "year_form": year_form}
    return render(request, "renovation/plan_list.html", context)


@login_required
def catalogue_list(request):
    can_add = can(request.user, Action.CREATE, CatalogueItem)
    form = forms.CatalogueItemForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied(_("只有区级管理人员可以维护改造内容目录。"))
        if form.is_valid():
            try:
                services.add_catalogue_item(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已加入目录。"))
                return redirect("renovation:catalogue_list")
    context = {"items": selectors.catalogue(active_only=False), "form": form}
    return render(request, "renovation/catalogue_list.html", context)


@login_required
@require_GET
def subsidy_check(request):
    violations = selectors.central_subsidy_violations(user=request.user)
    return render(request, "renovation/subsidy_check.html", {"violations": violations})


# Reports --------------------------------------------------------------------------


def _report_year(request):
    """The report's year: this year by default, a 400 naming `year` when it is junk or out of range."""
    return year_param(request, default=selectors.today().year)


@login_required
@require_GET
def street_report(request):
    year = _report_year(request)
    report = reports.street_report(user=request.user, year=year)
    context = {
        "report": report,
        "year": year,
        "years": selectors.report_years(user=request.user),
        "body": reports.rows_html(report.rows, numeric_from=3),
        "totals": reports.rows_html([report.totals], numeric_from=3),
    }
    return render(request, "renovation/report_streets.html", context)


@login_required
@require_GET
def street_report_export(request):
    if not can(request.user, Action.EXPORT, Project):
        raise PermissionDenied(_("您没有导出报表的权限。"))
    year = _report_year(request)
    return reports.street_report_export(user=request.user, year=year)


@login_required
@require_GET
def project_report(request):
    year = _report_year(request)
    report = reports.project_report_page(user=request.user, year=year, request=request)
    context = {
        "report": report,
        "year": year,
        "years": selectors.report_years(user=request.user),
        "page_sizes": PAGE_SIZES,
        "query": _query_without(request, "page"),
        "page": report.page,
        "body": reports.rows_html(
            report.rows, numeric_from=4, text_columns=reports.PROJECT_TEXT_COLUMNS, wrap_columns={8}
        ),
        "totals": reports.rows_html([report.totals], numeric_from=4, text_columns=reports.PROJECT_TEXT_COLUMNS),
    }
    return render(request, "renovation/report_projects.html", context)


@login_required
@require_GET
def project_report_export(request):
    if not can(request.user, Action.EXPORT, Project):
        raise PermissionDenied(_("您没有导出报表的权限。"))
    year = _report_year(request)
    return reports.project_report_export(request, user=request.user, year=year)
