"""Renovation pages. Views parse the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action, can
from core.edit_views import ScopedEditView
from core.forms import apply_errors
from core.pagination import paginate
from core.params import year_param
from renovation import forms, reports, selectors, services
from renovation.filtersets import filter_projects
from renovation.models import CatalogueItem, FiveYearPlan, Gate, Project, Stage, TenderAward


def _query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


REMINDERS_ON_LIST = 5  # the rest are on the paginated reminder page


@login_required
@require_GET
def project_list(request):
    filterset, queryset = filter_projects(user=request.user, params=request.GET, request=request)
    queryset = selectors.with_behind_flag(queryset)
    page = paginate(request, queryset, count=queryset.order_by().count(), rows=selectors.with_money_flags)
    reminders = selectors.reminders_of_week(user=request.user, week=services.week_of(selectors.today()))
    shown_reminders = list(reminders[:REMINDERS_ON_LIST])
    context = {
        "filterset": filterset,
        "page": page,
        "query": _query_without(request, "page"),
        "can_create": can(request.user, Action.CREATE, Project),
        "can_approve": can(request.user, Action.APPROVE, Project),
        "reminders": shown_reminders,
        "more_reminders": len(shown_reminders) == REMINDERS_ON_LIST and reminders.count() > REMINDERS_ON_LIST,
    }
    filterset.prepare_form(filterset.form)
    return render(request, "renovation/project_list.html", context)


@login_required
@require_GET
def reminder_list(request):
    """This week's reminders of projects still behind schedule, a page at a time."""
    week = services.week_of(selectors.today())
    reminders = selectors.reminders_of_week(user=request.user, week=week)
    page = paginate(request, reminders, count=reminders.order_by().count())
    context = {"page": page, "week": week}
    return render(request, "renovation/reminder_list.html", context)


class SimpleFormPage(ScopedEditView):
    """renovation/simple_form.html: a heading, the form, a way back."""

    template_name = "renovation/simple_form.html"
    heading = ""

    def get_heading(self) -> str:
        return self.heading

    def get_cancel_url(self) -> str:
        return reverse("renovation:project_detail", args=[self.object.pk])

    def get_context_data(self) -> dict:
        return {
            "heading": self.get_heading(),
            "cancel_url": self.get_cancel_url(),
            "project": self.object,
            "multipart": self.multipart,
        }


class ProjectCreate(SimpleFormPage):
    form_class = forms.ProjectCreateForm
    heading = gettext_lazy("新增改造项目")

    def get_object(self):
        if not can(self.request.user, Action.CREATE, Project):
            raise PermissionDenied(_("您没有新增改造项目的权限。"))
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user, "initial": self.request.GET.dict()}

    def save(self, form):
        return services.create_project(user=self.request.user, **form.cleaned_data)

    def get_success_message(self, project):
        return _("已新增改造项目“%(name)s”。") % {"name": project.name}

    def get_success_url(self, project):
        return reverse("renovation:project_detail", args=[project.pk])

    def get_cancel_url(self):
        return reverse("renovation:project_list")


project_create = ProjectCreate.as_view()


class ProjectPage(SimpleFormPage):
    """A form on one project the user may change (`action`): the service, then back to the project."""

    action = Action.CHANGE

    def get_object(self):
        return selectors.project_detail(user=self.request.user, project_id=self.kwargs["pk"], action=self.action)

    def get_success_url(self, saved):
        return reverse("renovation:project_detail", args=[self.object.pk])


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
        **selectors.project_related(project),
        "gates": selectors.evaluate_gates(project),
        "gates_ahead": {gate for gate in Gate.values if services.gate_still_ahead(project, gate)},
        "behind": selectors.is_behind(project),
        "behind_reason": selectors.behind_reason(project),
        "next_stages": [(value, label) for value, label in Stage.choices if value in services.allowed_moves(project)],
        "budget_rows": budget_rows,
        "over_budget": over_budget,
        "money": selectors.project_money(project),
        "can_change": may_change,
        "can_approve": can(request.user, Action.APPROVE, Project),
        "move_form": forms.MoveForm(),
    }
    return render(request, "renovation/project_detail.html", context)


class ProjectEdit(ProjectPage):
    form_class = forms.ProjectForm
    heading = gettext_lazy("编辑改造项目")

    def get_form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        return services.update_project(user=self.request.user, project_id=self.object.pk, data=form.cleaned_data)


project_edit = ProjectEdit.as_view()


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


class GateOverride(ProjectPage):
    action = Action.APPROVE
    form_class = forms.OverrideForm
    success_message = gettext_lazy("已批准例外，理由已记录。")

    def get_object(self):
        project = super().get_object()
        if self.kwargs["gate"] not in Gate.values:
            raise PermissionDenied(_("开工条件无效。"))
        return project

    def get_heading(self):
        return _("批准开工条件例外：%(gate)s") % {"gate": Gate(self.kwargs["gate"]).label}

    def save(self, form):
        return services.override_gate(
            user=self.request.user,
            project_id=self.object.pk,
            gate=self.kwargs["gate"],
            reason=form.cleaned_data["reason"],
        )


gate_override = GateOverride.as_view()


class StreetConsent(ProjectPage):
    form_class = forms.StreetConsentForm
    heading = gettext_lazy("登记街道同意意见")

    def save(self, form):
        return services.record_street_consent(user=self.request.user, project_id=self.object.pk, **form.cleaned_data)


street_consent = StreetConsent.as_view()


class FundArrangement(ProjectPage):
    form_class = forms.FundArrangementForm
    heading = gettext_lazy("登记维修资金筹集方案")

    def save(self, form):
        return services.record_fund_arrangement(user=self.request.user, project_id=self.object.pk, **form.cleaned_data)


fund_arrangement = FundArrangement.as_view()


class ApprovalEdit(ProjectPage):
    """A new approval of the project (approval_pk absent) or one of its approvals."""

    form_class = forms.ApprovalForm
    heading = gettext_lazy("审批记录")

    def get_object(self):
        project = super().get_object()
        approval_id = self.kwargs.get("approval_pk")
        self.approval = (
            None
            if approval_id is None
            else selectors.approval_for(
                user=self.request.user, project_id=project.pk, approval_id=approval_id, action=Action.CHANGE
            )
        )
        return project

    def get_form_kwargs(self):
        initial = {"kind": self.request.GET.get("kind", "")}
        return {"instance": self.approval} if self.approval else {"initial": initial}

    def save(self, form):
        data = dict(form.cleaned_data)
        return services.record_approval(
            user=self.request.user,
            project_id=self.object.pk,
            approval_id=self.approval.pk if self.approval else None,
            **data,
        )


approval_edit = ApprovalEdit.as_view()


class TenderAwardEdit(ProjectPage):
    """The contractor or the supervisor of the project (one of each)."""

    form_class = forms.TenderAwardForm

    def get_object(self):
        project = super().get_object()
        if self.kwargs["role"] not in TenderAward.Role.values:
            raise PermissionDenied(_("类别无效。"))
        return project

    def get_heading(self):
        return _("登记%(role)s") % {"role": TenderAward.Role(self.kwargs["role"]).label}

    def get_form_kwargs(self):
        award = selectors.tender_award_of(self.object, role=self.kwargs["role"])
        return {"instance": award} if award else {}

    def save(self, form):
        return services.save_tender_award(
            user=self.request.user, project_id=self.object.pk, role=self.kwargs["role"], **form.cleaned_data
        )


tender_award_edit = TenderAwardEdit.as_view()


class WorkItemEdit(ProjectPage):
    """A new work item of the project (item_pk absent) or one of its items."""

    form_class = forms.WorkItemForm
    heading = gettext_lazy("改造内容")

    def get_object(self):
        project = super().get_object()
        item_id = self.kwargs.get("item_pk")
        self.item = (
            None
            if item_id is None
            else selectors.work_item_for(
                user=self.request.user, project_id=project.pk, item_id=item_id, action=Action.CHANGE
            )
        )
        return project

    def get_form_kwargs(self):
        return {"instance": self.item} if self.item else {}

    def save(self, form):
        return services.save_work_item(
            user=self.request.user,
            project_id=self.object.pk,
            work_item_id=self.item.pk if self.item else None,
            **form.cleaned_data,
        )


work_item_edit = WorkItemEdit.as_view()


class FundingEdit(ProjectPage):
    """A new funding line of the project (line_pk absent) or one of its lines."""

    form_class = forms.FundingLineForm
    heading = gettext_lazy("资金来源")

    def get_object(self):
        project = super().get_object()
        line_id = self.kwargs.get("line_pk")
        self.line = (
            None
            if line_id is None
            else selectors.funding_line_for(
                user=self.request.user, project_id=project.pk, line_id=line_id, action=Action.CHANGE
            )
        )
        return project

    def get_form_kwargs(self):
        return {"project": self.object, **({"instance": self.line} if self.line else {})}

    def save(self, form):
        return services.save_funding_line(
            user=self.request.user,
            project_id=self.object.pk,
            line_id=self.line.pk if self.line else None,
            **form.cleaned_data,
        )


funding_edit = FundingEdit.as_view()


class ConsultationAdd(ProjectPage):
    form_class = forms.ConsultationForm
    heading = gettext_lazy("登记征求意见")

    def save(self, form):
        return services.add_consultation(user=self.request.user, project_id=self.object.pk, **form.cleaned_data)


consultation_add = ConsultationAdd.as_view()


class ProgressAdd(ProjectPage):
    form_class = forms.ProgressForm
    heading = gettext_lazy("报告形象进度")
    multipart = True

    def save(self, form):
        return services.add_progress_report(user=self.request.user, project_id=self.object.pk, **form.cleaned_data)


progress_add = ProgressAdd.as_view()


@login_required
@require_GET
def photo_download(request, pk):
    photo = selectors.progress_photo_for(user=request.user, photo_id=pk)
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
