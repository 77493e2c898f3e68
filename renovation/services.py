"""Writes of the renovation app. Pages, the API, tasks and commands call these.

Each function checks the user's scope for the action, validates, writes inside
one transaction and leaves the history (who, when) behind.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped
from communities import selectors as ledger_selectors
from core.uploads import inspect_upload
from core.validators import validate_credit_code
from renovation import selectors
from renovation.models import (
    STAGE_ORDER,
    AnnualPlan,
    Approval,
    CatalogueItem,
    ConsultationMeeting,
    FiveYearPlan,
    FundArrangement,
    FundingLine,
    FundingSource,
    Gate,
    GateOverride,
    ProgressPhoto,
    ProgressReport,
    Project,
    ScheduleReminder,
    Stage,
    StageMove,
    StreetConsent,
    TenderAward,
    WorkItem,
)

PROJECT_EDITABLE_FIELDS = (
    "name",
    "summary",
    "planned_start",
    "planned_end",
    "consent_share",
    "notice_from",
    "notice_to",
)


def _locked_project(*, user, project_id, action=Action.CHANGE) -> Project:
    return get_scoped_object_or_404(
        Project.objects.select_related("estate__community__street").select_for_update(of=("self",)),
        user,
        action,
        pk=project_id,
    )


def _save(instance, *, user=None):
    if user is not None and hasattr(instance, "history"):
        instance._history_user = user
    instance.full_clean()
    try:
        instance.save()
    except IntegrityError as exc:  # a concurrent write beat full_clean to it
        raise ValidationError(_("保存失败：与已有记录冲突，请刷新后重试。")) from exc
    return instance


# Plans and catalogue ------------------------------------------------------


@transaction.atomic
def create_five_year_plan(*, user, district, name: str, start_year: int, end_year: int, target_estates=0):
    if not can(user, Action.CREATE, FiveYearPlan):
        raise PermissionDenied(_("只有区级管理人员可以制定五年规划。"))
    if not scoped(type(district).objects.all(), user).filter(pk=district.pk).exists():
        raise ValidationError({"district": _("请选择您管辖的区。")})
    plan = FiveYearPlan(
        district=district, name=name, start_year=start_year, end_year=end_year, target_estates=target_estates
    )
    return _save(plan)


@transaction.atomic
def create_annual_plan(*, user, plan: FiveYearPlan, year: int, target_estates=0) -> AnnualPlan:
    plan = get_scoped_object_or_404(FiveYearPlan.objects.all(), user, Action.CREATE, pk=plan.pk)
    if not plan.start_year <= year <= plan.end_year:
        raise ValidationError(
            {"year": _("年度须在五年规划的%(a)s—%(b)s年之内。") % {"a": plan.start_year, "b": plan.end_year}}
        )
    return _save(AnnualPlan(plan=plan, year=year, target_estates=target_estates))


@transaction.atomic
def add_catalogue_item(*, user, category: str, name: str, unit: str, output: str = "") -> CatalogueItem:
    """District officials extend the catalogue (§3's lists are a start, not a limit)."""
    if not can(user, Action.CREATE, CatalogueItem):
        raise PermissionDenied(_("只有区级管理人员可以维护改造内容目录。"))
    item = CatalogueItem(category=category, name=name.strip(), unit=unit.strip(), output=output)
    return _save(item)


# Projects ---------------------------------------------------------------------


def _check_may_enter(estate) -> None:
    """Estates planned for expropriation or rebuilt as shanty towns never enter a plan."""
    if estate.expropriation_planned:
        raise ValidationError({"estate": _("“%(name)s”已计划征收拆迁，不能纳入老旧小区改造。") % {"name": estate.name}})
    if estate.shantytown:
        raise ValidationError({"estate": _("“%(name)s”列入棚户区改造，不能纳入老旧小区改造。") % {"name": estate.name}})


def _cutoff_override_by(user, *, estate, reason: str):
    """Who lets an estate newer than the cut-off year in: the district official
    giving the written reason (None for an old estate, which needs no reason)."""
    if estate.is_old:
        if reason:
            raise ValidationError({"cutoff_override_reason": _("该小区属于老旧小区，无需填写年代例外理由。")})
        return None
    if not reason:
        raise ValidationError(
            {
                "estate": _(
                    "“%(name)s”建成于%(year)s年，晚于老旧小区的年代界限（%(cutoff)s年），不能纳入；"
                    "确需改造的，由区级管理人员填写理由批准例外。"
                )
                % {"name": estate.name, "year": estate.year_built, "cutoff": settings.OLD_ESTATE_CUTOFF_YEAR}
            }
        )
    if not can(user, Action.APPROVE, Project):
        raise ValidationError({"cutoff_override_reason": _("只有区级管理人员可以批准年代例外。")})
    return user


@transaction.atomic
def create_project(
    *,
    user,
    annual_plan: AnnualPlan,
    estate,
    name: str = "",
    summary: str = "",
    planned_start: date | None = None,
    planned_end: date | None = None,
    cutoff_override_reason: str = "",
) -> Project:
    """Add an estate to an annual plan. Estates planned for expropriation or
    rebuilt as shanty towns never enter; an estate newer than the cut-off
    enters only when a district official overrides with a written reason."""
    if not can(user, Action.CREATE, Project):
        raise PermissionDenied(_("您没有新增改造项目的权限。"))
    estate = (
        ledger_selectors.estates_for(user=user, action=Action.CREATE)
        .select_for_update(of=("self",))
        .filter(pk=getattr(estate, "pk", None))
        .first()
    )
    if estate is None:
        raise ValidationError({"estate": _("请选择您管辖范围内的小区。")})
    annual_plan = scoped(AnnualPlan.objects.select_related("plan"), user).filter(pk=annual_plan.pk).first()
    if annual_plan is None or annual_plan.plan.district_id != estate.community.street.district_id:
        raise ValidationError({"annual_plan": _("请选择本区的年度计划。")})
    _check_may_enter(estate)
    reason = (cutoff_override_reason or "").strip()
    override_by = _cutoff_override_by(user, estate=estate, reason=reason)
    project = Project(
        annual_plan=annual_plan,
        year=annual_plan.year,
        estate=estate,
        street=estate.community.street,
        name=(name or "").strip()
        or _("%(estate)s%(year)s年综合整治") % {"estate": estate.name, "year": annual_plan.year},
        summary=summary,
        planned_start=planned_start,
        planned_end=planned_end,
        cutoff_override_reason=reason,
        cutoff_override_by=override_by,
        created_by=user,
    )
    return _save(project, user=user)


@transaction.atomic
def update_project(*, user, project_id: int, data: dict) -> Project:
    project = _locked_project(user=user, project_id=project_id)
    for field, value in data.items():
        if field in PROJECT_EDITABLE_FIELDS:
            setattr(project, field, value)
    return _save(project, user=user)


def allowed_moves(project: Project) -> list[str]:
    """Forward one stage at a time; back one stage only before construction
    (e.g. a failed tender goes back to consultation). Once works start the
    project only moves on."""
    index = STAGE_ORDER.index(project.stage)
    moves = []
    if index + 1 < len(STAGE_ORDER):
        moves.append(STAGE_ORDER[index + 1])
    if 0 < index < STAGE_ORDER.index(Stage.CONSTRUCTION):
        moves.append(STAGE_ORDER[index - 1])
    return moves


def _stage_gates_open(project: Project, to_stage: str) -> list:
    """The gates of `to_stage` as they stand (empty for a stage without gates); raises
    naming each one still open and not overridden."""
    gates = selectors.evaluate_gates(project, to_stage)
    blocking = [g for g in gates if not g.passes]
    if blocking:
        open_gates = "；".join(f"{g.label}（{g.evidence}）" for g in blocking)
        if to_stage == Stage.CONSTRUCTION:
            message = _("开工条件未全部满足，不能开工：%(gates)s") % {"gates": open_gates}
        else:
            message = _("转入“%(stage)s”的条件未全部满足：%(gates)s") % {
                "stage": Stage(to_stage).label,
                "gates": open_gates,
            }
        raise ValidationError({"to_stage": ValidationError(message, code="gates_open")})
    return gates


@transaction.atomic
def move_stage(*, user, project_id: int, to_stage: str, note: str = "", on: date | None = None) -> StageMove:
    """Move the project to another stage and record who did it. A stage with gates
    (construction: the conditions of §2 and §9, the contractor, the permit or its
    exemption) needs every gate closed or overridden; the gates as they stood are
    kept with the move."""
    project = _locked_project(user=user, project_id=project_id)
    if to_stage not in STAGE_ORDER:
        raise ValidationError({"to_stage": _("阶段无效。")}, code="invalid_stage")
    if to_stage not in allowed_moves(project):
        message = _("不能从“%(a)s”直接转到“%(b)s”。") % {"a": project.get_stage_display(), "b": Stage(to_stage).label}
        raise ValidationError({"to_stage": ValidationError(message, code="illegal_move")})
    on = on or timezone.localdate()
    moving_forward = STAGE_ORDER.index(to_stage) > STAGE_ORDER.index(project.stage)
    snapshot = [g.snapshot() for g in _stage_gates_open(project, to_stage)] if moving_forward else []
    if to_stage == Stage.CONSTRUCTION:
        project.actual_start = project.actual_start or on
    if to_stage == Stage.COMPLETED:
        project.progress = 100
        project.actual_end = project.actual_end or on
    move = StageMove(
        project=project, from_stage=project.stage, to_stage=to_stage, note=note, gates=snapshot, moved_by=user
    )
    project.stage = to_stage
    _save(project, user=user)
    return _save(move)


def gate_still_ahead(project: Project, gate: str) -> bool:
    """Whether the project has yet to pass the stage the gate guards (an override
    makes sense only then)."""
    stage = selectors.GATE_STAGE.get(gate)
    return stage is not None and STAGE_ORDER.index(project.stage) < STAGE_ORDER.index(stage)


@transaction.atomic
def override_gate(*, user, project_id: int, gate: str, reason: str) -> GateOverride:
    """A district official lets the project pass this gate while it is open. The
    reason and the evidence at the time are kept."""
    project = _locked_project(user=user, project_id=project_id, action=Action.APPROVE)
    if gate not in Gate.values:
        raise ValidationError({"gate": _("开工条件无效。")})
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("请写明批准例外的理由（至少5个字）。")})
    if not gate_still_ahead(project, gate):
        raise ValidationError({"gate": _("项目已过该条件所在的阶段，无需再批准例外。")})
    status = selectors.GATE_CHECKS[Gate(gate)](project)
    if status.closed:
        raise ValidationError({"gate": _("“%(gate)s”已满足，无需例外。") % {"gate": status.label}})
    if GateOverride.objects.filter(project=project, gate=gate).exists():
        raise ValidationError({"gate": _("“%(gate)s”已批准过例外。") % {"gate": status.label}})
    return _save(GateOverride(project=project, gate=gate, reason=reason, evidence=status.evidence, approved_by=user))


@transaction.atomic
def record_street_consent(*, user, project_id: int, consented_by: str, consented_on: date, document: str = ""):
    project = _locked_project(user=user, project_id=project_id)
    consent = StreetConsent.objects.filter(project=project).first() or StreetConsent(project=project)
    consent.consented_by = (consented_by or "").strip()
    consent.consented_on = consented_on
    consent.document = document
    consent.recorded_by = user
    consent.recorded_at = timezone.now()
    if not consent.consented_by:
        raise ValidationError({"consented_by": _("请填写街道同意人。")})
    return _save(consent)


@transaction.atomic
def record_fund_arrangement(*, user, project_id: int, description: str, arranged_on: date) -> FundArrangement:
    project = _locked_project(user=user, project_id=project_id)
    arrangement = FundArrangement.objects.filter(project=project).first() or FundArrangement(project=project)
    arrangement.description = (description or "").strip()
    arrangement.arranged_on = arranged_on
    arrangement.recorded_by = user
    arrangement.recorded_at = timezone.now()
    return _save(arrangement)


# The project file: approvals and tender -----------------------------------------

APPROVAL_FIELDS = ("number", "decided_on", "investment", "opinions", "result", "reason")


def _check_approval(approval: Approval) -> None:
    """What each kind of approval must say, as messages on the fields (the database
    constraints hold the same rules)."""
    kind = approval.kind
    errors = {}
    if kind not in Approval.Kind.values:
        raise ValidationError({"kind": _("审批事项无效。")})
    if approval.decided_on and approval.decided_on > timezone.localdate():
        errors["decided_on"] = _("日期不能晚于今天。")
    if kind in Approval.INVESTMENT_KINDS:
        if not approval.number:
            errors["number"] = _("请填写批复文号。")
        if approval.investment is None:
            errors["investment"] = _("请填写批复投资（元）。")
    else:
        approval.investment = None
    if kind == Approval.Kind.JOINT_REVIEW:
        if not approval.result:
            errors["result"] = _("请选择联合审查的结论。")
    else:
        approval.result = ""
    if kind == Approval.Kind.PERMIT and not approval.number:
        errors["number"] = _("请填写施工许可证编号。")
    if kind == Approval.Kind.PERMIT_EXEMPTION:
        if not approval.reason:
            errors["reason"] = _("请写明免于办理施工许可的依据（如工程投资额或建筑面积在限额以下）。")
    else:
        approval.reason = ""
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_approval(*, user, project_id: int, kind: str, approval_id: int | None = None, **fields) -> Approval:
    """Record (or correct) one approval of the project: 立项/可研批复, 联合审查, the
    construction permit or its exemption. Street staff of the project's street and
    district officials; a permit and an exemption exclude each other."""
    project = _locked_project(user=user, project_id=project_id)
    if approval_id is not None:
        approval = Approval.objects.filter(project=project, pk=approval_id).first()
        if approval is None:
            raise ValidationError(_("没有找到该审批记录。"))
    else:
        approval = Approval(project=project)
    approval.kind = kind
    for field in APPROVAL_FIELDS:
        if field in fields:
            value = fields[field]
            setattr(approval, field, value.strip() if isinstance(value, str) else value)
    _check_approval(approval)
    others = Approval.objects.filter(project=project).exclude(pk=approval.pk)
    if kind in Approval.START_KINDS:
        other = others.filter(kind__in=Approval.START_KINDS).first()
        if other is not None:
            message = _("本项目已登记“%(other)s”，施工许可与免于办理只能登记一项；请修改原记录。") % {
                "other": other.get_kind_display()
            }
            raise ValidationError({"kind": ValidationError(message, code="permit_twice")})
    elif kind in Approval.INVESTMENT_KINDS and others.filter(kind=kind).exists():
        message = _("本项目已登记“%(kind)s”，请修改原记录。") % {"kind": Approval.Kind(kind).label}
        raise ValidationError({"kind": ValidationError(message, code="approval_twice")})
    approval.recorded_by = user
    approval.recorded_at = timezone.now()
    return _save(approval, user=user)


@transaction.atomic
def save_tender_award(
    *, user, project_id: int, role: str, company_name: str, credit_code: str, price: Decimal, contract_date: date
) -> TenderAward:
    """Record the contractor or the supervisor the tender chose (one of each per
    project; saving again corrects it, the history keeps the old one). The credit
    code is checked as property companies' are (GB 32100-2015)."""
    project = _locked_project(user=user, project_id=project_id)
    if role not in TenderAward.Role.values:
        raise ValidationError({"role": _("类别无效。")})
    code = (credit_code or "").strip().upper()
    if not code:
        raise ValidationError({"credit_code": _("请填写统一社会信用代码。")})
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.error_list}) from exc
    if contract_date and contract_date > timezone.localdate():
        raise ValidationError({"contract_date": _("合同签订日期不能晚于今天。")})
    award = TenderAward.objects.filter(project=project, role=role).first() or TenderAward(project=project, role=role)
    award.company_name = (company_name or "").strip()
    award.credit_code = code
    award.price = price
    award.contract_date = contract_date
    award.recorded_by = user
    award.recorded_at = timezone.now()
    return _save(award, user=user)


# Work items and money -------------------------------------------------------


@transaction.atomic
def save_work_item(
    *,
    user,
    project_id: int,
    item: CatalogueItem,
    quantity: Decimal,
    budget: Decimal,
    actual_cost: Decimal = Decimal("0"),
    note: str = "",
    work_item_id: int | None = None,
) -> WorkItem:
    project = _locked_project(user=user, project_id=project_id)
    if work_item_id is not None:
        work_item = WorkItem.objects.filter(project=project, pk=work_item_id).first()
        if work_item is None:
            raise ValidationError(_("没有找到该改造内容。"))
        if work_item.item_id != item.pk and work_item.funding.filter(source=FundingSource.CENTRAL).exists():
            raise ValidationError({"item": _("该改造内容已有中央补助，不能改成其他内容。")})
    else:
        if not item.active:
            raise ValidationError({"item": _("“%(name)s”已停用。") % {"name": item.name}})
        work_item = WorkItem(project=project)
    work_item.item = item
    work_item.quantity = quantity
    work_item.budget = budget
    work_item.actual_cost = actual_cost
    work_item.note = note
    return _save(work_item, user=user)


def _check_central_subsidy(*, project: Project, work_item: WorkItem, line_id: int | None):
    """§3: the same work in the same estate gets central subsidy once, across
    projects and years. The estate row is locked so two clerks cannot both pass."""
    ledger_selectors.lock_estate(estate_id=project.estate_id)
    other = (
        FundingLine.objects.filter(
            source=FundingSource.CENTRAL,
            work_item__item_id=work_item.item_id,
            project__estate_id=project.estate_id,
        )
        .exclude(work_item=work_item)
        .exclude(pk=line_id)
        .select_related("project")
        .first()
    )
    if other is not None:
        message = _(
            "“%(item)s”在本小区已由项目“%(project)s”（%(year)s年）使用中央补助，同一改造内容不得重复使用中央补助资金。"
        ) % {"item": work_item.item.name, "project": other.project.name, "year": other.project.year}
        raise ValidationError({"source": ValidationError(message, code="central_subsidy_twice")})


@transaction.atomic
def save_funding_line(
    *,
    user,
    project_id: int,
    source: str,
    planned: Decimal,
    received: Decimal = Decimal("0"),
    work_item: WorkItem | None = None,
    note: str = "",
    line_id: int | None = None,
) -> FundingLine:
    project = _locked_project(user=user, project_id=project_id)
    if work_item is not None and work_item.project_id != project.pk:
        raise ValidationError({"work_item": _("请选择本项目的改造内容。")})
    if source == FundingSource.CENTRAL:
        if work_item is None:
            raise ValidationError({"work_item": _("中央补助须注明用于哪项改造内容。")})
        _check_central_subsidy(project=project, work_item=work_item, line_id=line_id)
    if line_id is not None:
        line = FundingLine.objects.filter(project=project, pk=line_id).first()
        if line is None:
            raise ValidationError(_("没有找到该资金来源。"))
    else:
        line = FundingLine(project=project)
    line.source = source
    line.planned = planned
    line.received = received
    line.work_item = work_item
    line.note = note
    return _save(line, user=user)


# Consultation and progress ----------------------------------------------------


@transaction.atomic
def add_consultation(
    *,
    user,
    project_id: int,
    kind: str,
    held_on: date,
    attendees: int = 0,
    opinions: int = 0,
    summary: str = "",
    response: str = "",
) -> ConsultationMeeting:
    project = _locked_project(user=user, project_id=project_id)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("日期不能晚于今天。")})
    meeting = ConsultationMeeting(
        project=project,
        kind=kind,
        held_on=held_on,
        attendees=attendees,
        opinions=opinions,
        summary=summary,
        response=response,
        recorded_by=user,
    )
    return _save(meeting)


PHOTO_MAX_SIDE = 2560
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTOS_PER_REPORT = 9


def clean_photo(upload):
    """Check an uploaded photo (core.uploads), then re-encode it as JPEG no
    larger than PHOTO_MAX_SIDE on its longer side: EXIF (GPS, camera) is
    dropped and the stored size stays small."""
    checked = inspect_upload(upload, max_bytes=PHOTO_MAX_BYTES)
    if checked.kind != "photo":
        raise ValidationError({"photos": _("“%(name)s”不是照片（JPG、PNG、WebP）。") % {"name": checked.original_name}})
    checked.content.seek(0)
    with Image.open(checked.content) as image:
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True)
        width, height = image.size
    data = out.getvalue()
    stem = checked.original_name.rsplit(".", 1)[0]
    return {
        "original_name": checked.original_name,
        "content_type": "image/jpeg",
        "size": len(data),
        "width": width,
        "height": height,
        "content": ContentFile(data, name=f"{stem}.jpg"),
    }


@transaction.atomic
def add_progress_report(
    *, user, project_id: int, reported_on: date, percent: int, note: str = "", photos=()
) -> ProgressReport:
    """A dated progress figure with photos; the project's progress follows it."""
    project = _locked_project(user=user, project_id=project_id)
    if project.stage != Stage.CONSTRUCTION:
        raise ValidationError(_("只有在建项目可以报告形象进度。"))
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("报告日期不能晚于今天。")})
    if percent is None or not 0 <= percent <= 100:
        raise ValidationError({"percent": _("进度应在0到100之间。")})
    if percent < project.progress:
        message = _("进度不能低于上次报告的%(p)s%%。") % {"p": project.progress}
        raise ValidationError({"percent": ValidationError(message, code="progress_backwards")})
    if len(photos) > PHOTOS_PER_REPORT:
        raise ValidationError({"photos": _("每次最多上传%(n)s张照片。") % {"n": PHOTOS_PER_REPORT}})
    cleaned = [clean_photo(upload) for upload in photos]
    report = _save(
        ProgressReport(project=project, reported_on=reported_on, percent=percent, note=note, reported_by=user)
    )
    for photo in cleaned:
        content = photo.pop("content")
        item = ProgressPhoto(report=report, **photo)
        item.file.save(content.name, content, save=False)
        item.full_clean()
        item.save()
    project.progress = percent
    _save(project, user=user)
    return report


# Reminders ------------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def send_schedule_reminders(*, today: date | None = None) -> int:
    """Remind each responsible street office of its projects behind schedule,
    once per project per week. The unique key (project, week) makes a second
    or concurrent run create nothing; returns how many reminders were made."""
    today = today or timezone.localdate()
    week = week_of(today)
    behind = (
        Project.objects.filter(selectors.behind_schedule_q(today))
        .exclude(reminders__week=week)
        .select_related("street")
        .order_by("pk")
    )
    made = 0
    for project in behind.iterator(chunk_size=500):
        reason = selectors.behind_reason(project, today)
        message = _("%(name)s：%(reason)s，请督促推进。") % {"name": project.name, "reason": reason}
        with transaction.atomic():
            _reminder, created = ScheduleReminder.objects.get_or_create(
                project=project, week=week, defaults={"street": project.street, "message": message[:300]}
            )
        made += int(created)
    return made
