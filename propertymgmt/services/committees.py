"""Owners' committees (业主委员会) and the bodies standing in for one: their
lifecycle, timetable of steps, the ledger's owners' body, and building heads (楼长)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from communities import selectors as ledger_selectors
from communities import services as ledger
from communities.choices import OwnersBody
from propertymgmt.models import (
    COMMITTEE_MOVES,
    STAND_IN_MOVES,
    BuildingHead,
    Committee,
    CommitteeKind,
    CommitteeStage,
    CommitteeStep,
    CommitteeTransition,
    OwnersVote,
    StepKind,
    VoteSubject,
)
from propertymgmt.services.common import _check_decision, _estate

# Contact details a clerk edits freely; the stage, the kind, the term and the election
# change only through move_committee, which enforces the lifecycle and logs each move.
COMMITTEE_DETAIL_FIELDS = ("chair", "contact_phone", "contact_email", "members")
COMMITTEE_LOCKED_FIELDS = ("kind", "stage", "term_starts_on", "term_ends_on", "filed_on", "election_vote")
# 筹备组 must hold the first owners' assembly (and elect) within this many days unless told otherwise.
PREPARATION_DAYS = 90
# An elected committee files (备案) with the street office within 30 days of its election.
FILING_DAYS = 30
# The re-election window opens three months before the term ends.
RE_ELECTION_WINDOW_DAYS = 90

STAND_IN_KINDS = ("self_mgmt", "mgmt_committee")


def _log_move(committee, *, user, from_stage: str, on: date, vote=None, note: str = ""):
    return CommitteeTransition.objects.create(
        committee=committee,
        from_stage=from_stage,
        to_stage=committee.stage,
        on_date=on,
        vote=vote,
        note=note.strip()[:200],
        by=user if getattr(user, "pk", None) else None,
    )


def _regenerate_steps(committee, *, on: date, preparation_due_on: date | None = None) -> None:
    """The timetable follows the stage: steps the new stage no longer waits for are resolved
    (done on the day of the move), and the steps it waits for are added (idempotently)."""
    stage = committee.stage
    due: dict[str, date] = {}
    if stage == CommitteeStage.PREPARATION:
        due[StepKind.PREPARATION_DEADLINE] = preparation_due_on or on + timedelta(days=PREPARATION_DAYS)
    elif stage == CommitteeStage.ELECTED:
        due[StepKind.FILING] = on + timedelta(days=FILING_DAYS)
    elif stage in (CommitteeStage.FILED, CommitteeStage.IN_TERM) and committee.term_ends_on:
        due[StepKind.RE_ELECTION] = committee.term_ends_on - timedelta(days=RE_ELECTION_WINDOW_DAYS)
        due[StepKind.TERM_END] = committee.term_ends_on
    still_open = {
        CommitteeStage.PREPARATION: {StepKind.PREPARATION_DEADLINE},
        CommitteeStage.ASSEMBLY: {StepKind.PREPARATION_DEADLINE},
        CommitteeStage.ELECTED: {StepKind.FILING},
        CommitteeStage.FILED: {StepKind.RE_ELECTION, StepKind.TERM_END},
        CommitteeStage.IN_TERM: {StepKind.RE_ELECTION, StepKind.TERM_END},
        CommitteeStage.RE_ELECTION: {StepKind.TERM_END},
        CommitteeStage.DISSOLVED: set(),
    }[stage]
    open_steps = CommitteeStep.objects.select_for_update().filter(committee=committee, done_on__isnull=True)
    for step in open_steps:
        if step.kind not in still_open or (step.kind in due and step.due_on != due[step.kind]):
            step.done_on = on
            step.save(update_fields=["done_on"])
    for kind, due_on in due.items():
        CommitteeStep.objects.get_or_create(
            committee=committee, kind=kind, due_on=due_on, defaults={"estate_id": committee.estate_id}
        )


def _sync_owners_body(*, user, committee, on: date) -> None:
    """Keep the ledger's Estate.owners_body in step with the committee record, through the
    ledger's own service so the estate's history shows who changed it and when."""
    stage = committee.stage
    if stage == CommitteeStage.DISSOLVED:
        body = OwnersBody.NONE
    elif committee.kind != CommitteeKind.COMMITTEE:
        body = committee.kind  # a 自管会 / 小区管委会 standing in
    elif stage in (CommitteeStage.FILED, CommitteeStage.IN_TERM):
        body = OwnersBody.COMMITTEE
    elif stage == CommitteeStage.RE_ELECTION and committee.term_ends_on and committee.term_ends_on < on:
        body = OwnersBody.NONE  # the term has expired and no new committee is filed yet
    else:
        return  # preparing, assembled, elected, or re-electing within the term: the ledger stands
    estate = ledger_selectors.all_estates().get(pk=committee.estate_id)
    if estate.owners_body == body:
        return
    ledger.update_estate(user=user, estate_id=estate.pk, data={"owners_body": body}, expected_version=estate.version)


@transaction.atomic
def save_committee(*, user, estate_id: int, data: dict, committee_id: int | None = None):
    """Set up an owners' body, or correct its contact details.

    A 业主委员会 starts as a preparation group (筹备组), due to hold the owners' assembly by
    `preparation_due_on` (90 days by default); a 自管会 or 小区管委会 stands in for one from the
    day it is set up (with an optional term). The stage is never written here: move_committee
    takes a committee through its lifecycle."""
    estate = _estate(user, estate_id)
    on = data.get("on") or timezone.localdate()
    if committee_id is not None:
        committee = get_scoped_object_or_404(
            Committee.objects.select_for_update(), user, Action.CHANGE, pk=committee_id, estate=estate
        )
        for name in COMMITTEE_LOCKED_FIELDS:
            if name in data and data[name] not in (None, "") and data[name] != getattr(committee, name):
                raise ValidationError(
                    {name: _("业主组织的类型、阶段、任期和选举不能直接修改，请通过“办理流转”逐步办理。")}
                )
        for name in COMMITTEE_DETAIL_FIELDS:
            if name in data:
                setattr(committee, name, data[name] or "")
        committee._history_user = user
        committee.full_clean()
        committee.save()
        return committee
    kind = data.get("kind") or CommitteeKind.COMMITTEE
    if kind not in CommitteeKind.values:
        raise ValidationError({"kind": _("请选择业主组织类型。")})
    start = CommitteeStage.PREPARATION if kind == CommitteeKind.COMMITTEE else CommitteeStage.IN_TERM
    if data.get("stage") and data["stage"] != start:
        raise ValidationError(
            {
                "stage": _(
                    "新成立的业主委员会从“筹备组已成立”开始，自管会、小区管委会从“任期中”开始；"
                    "其后的阶段请通过“办理流转”逐步办理。"
                )
            }
        )
    committee = Committee(estate=estate, kind=kind, stage=start)
    for name in COMMITTEE_DETAIL_FIELDS:
        if name in data:
            setattr(committee, name, data[name] or "")
    if kind != CommitteeKind.COMMITTEE:
        committee.term_starts_on = data.get("term_starts_on") or on
        committee.term_ends_on = data.get("term_ends_on")
    if Committee.objects.filter(estate=estate).exclude(stage=CommitteeStage.DISSOLVED).exists():
        raise ValidationError(_("该小区已有业主组织，请先办理解散或换届。"))
    committee._history_user = user
    committee.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            committee.save()
    except IntegrityError as exc:  # a concurrent clerk set one up first
        raise ValidationError(_("该小区已有业主组织，请先办理解散或换届。")) from exc
    _log_move(committee, user=user, from_stage="", on=on, note=data.get("note", ""))
    _regenerate_steps(committee, on=on, preparation_due_on=data.get("preparation_due_on"))
    _sync_owners_body(user=user, committee=committee, on=on)
    return committee


@transaction.atomic
def record_existing_committee(
    *, user, estate_id: int, filed_on: date, term_starts_on: date, term_ends_on: date, data: dict | None = None
):
    """Enter a 业主委员会 that was elected and filed before the portal kept committees (建档):
    it starts in term, with its filing date and term, and the log says it was registered."""
    estate = _estate(user, estate_id)
    today = timezone.localdate()
    if filed_on > today:
        raise ValidationError({"filed_on": _("建档登记的业委会须已备案（备案日期不能晚于今天）。")})
    if Committee.objects.filter(estate=estate).exclude(stage=CommitteeStage.DISSOLVED).exists():
        raise ValidationError(_("该小区已有业主组织，请先办理解散或换届。"))
    committee = Committee(
        estate=estate,
        kind=CommitteeKind.COMMITTEE,
        stage=CommitteeStage.IN_TERM,
        filed_on=filed_on,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
    )
    for name in COMMITTEE_DETAIL_FIELDS:
        if name in (data or {}):
            setattr(committee, name, data[name] or "")
    committee._history_user = user
    committee.full_clean(validate_constraints=False)
    committee.save()
    _log_move(committee, user=user, from_stage="", on=today, note=_("建档：系统启用前已备案的业委会"))
    _regenerate_steps(committee, on=today)
    _sync_owners_body(user=user, committee=committee, on=today)
    return committee


def allowed_moves(committee) -> tuple[str, ...]:
    table = COMMITTEE_MOVES if committee.kind == CommitteeKind.COMMITTEE else STAND_IN_MOVES
    return tuple(table.get(committee.stage, ()))


def _refuse_disallowed_move(committee, to_stage: str) -> None:
    """Refuse any stage but the next ones of the lifecycle, naming the moves that can be made."""
    if to_stage not in CommitteeStage.values:
        raise ValidationError({"to_stage": _("请选择要办理的阶段。")})
    allowed = allowed_moves(committee)
    if to_stage in allowed:
        return
    labels = dict(CommitteeStage.choices)
    if allowed:
        hint = _("当前只能办理：%(next)s。") % {"next": "、".join(str(labels[s]) for s in allowed)}
    else:
        hint = _("该业主组织已解散，不能再办理。")
    raise ValidationError(
        {
            "to_stage": _("不能从“%(from)s”直接转为“%(to)s”。")
            % {"from": labels[committee.stage], "to": labels[to_stage]}
            + hint
        }
    )


def _meet_stage_requirements(
    committee,
    *,
    estate,
    to_stage: str,
    on: date,
    vote_id: int | None,
    term_starts_on: date | None,
    term_ends_on: date | None,
):
    """What the new stage needs, set on the committee: electing cites a new, passed vote
    on electing the committee; filing records the term; being in term waits for the
    term to start. Returns the vote cited (for the log), or None."""
    vote = None
    if to_stage == CommitteeStage.ELECTED:
        vote = OwnersVote.objects.filter(pk=vote_id, estate=estate).first() if vote_id else None
        if vote is None:
            raise ValidationError({"vote": _("选举业主委员会须有本小区已通过的“选举业主委员会”表决，请选择该表决。")})
        _check_decision(vote, estate=estate, subjects={VoteSubject.ELECT_COMMITTEE}, field="vote")
        if vote.pk == committee.election_vote_id:
            raise ValidationError({"vote": _("换届选举须有新的选举表决，不能沿用上一届的表决。")})
        committee.election_vote = vote
    if to_stage == CommitteeStage.FILED:
        if committee.election_vote_id is None:
            raise ValidationError({"vote": _("备案前须有已通过的选举表决。")})
        if term_ends_on is None:
            raise ValidationError({"term_ends_on": _("备案时请填写本届任期结束日期。")})
        committee.term_starts_on = term_starts_on or on
        committee.term_ends_on = term_ends_on
        committee.filed_on = on
    if to_stage == CommitteeStage.IN_TERM and committee.term_starts_on and on < committee.term_starts_on:
        raise ValidationError({"on": _("任期开始前不能办理“任期中”。")})
    return vote


@transaction.atomic
def move_committee(
    *,
    user,
    committee_id: int,
    to_stage: str,
    on: date | None = None,
    vote_id: int | None = None,
    term_starts_on: date | None = None,
    term_ends_on: date | None = None,
    note: str = "",
):
    """Take a committee one step through its lifecycle (COMMITTEE_MOVES), refusing any other
    move. Electing needs a passed owners' vote on electing the committee; filing needs the
    term; every move is logged with who and when, the timetable follows the new stage, and
    the ledger's owners' body follows the committee, all in one transaction."""
    on = on or timezone.localdate()
    committee = get_scoped_object_or_404(
        Committee.objects.select_for_update(of=("self",)).select_related("estate"), user, Action.CHANGE, pk=committee_id
    )
    estate = _estate(user, committee.estate_id)
    _refuse_disallowed_move(committee, to_stage)
    last = committee.transitions.order_by("-on_date", "-id").first()
    if last is not None and on < last.on_date:
        raise ValidationError({"on": _("办理日期不能早于上一步的日期（%(d)s）。") % {"d": last.on_date}})
    vote = _meet_stage_requirements(
        committee,
        estate=estate,
        to_stage=to_stage,
        on=on,
        vote_id=vote_id,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
    )
    from_stage = committee.stage
    committee.stage = to_stage
    committee._history_user = user
    committee._change_reason = note.strip()[:100]
    committee.full_clean(validate_constraints=False)
    committee.save()
    _log_move(committee, user=user, from_stage=from_stage, on=on, vote=vote, note=note)
    _regenerate_steps(committee, on=on)
    _sync_owners_body(user=user, committee=committee, on=on)
    return committee


@transaction.atomic
def expire_terms(*, user, today: date | None = None) -> int:
    """任期届满: committees in the user's scope whose term has ended without a new one
    filed move to re-election (logged), and the ledger no longer shows a committee
    for the estate. Returns how many expired. Safe to run again: none move twice."""
    today = today or timezone.localdate()
    expired = list(
        scoped(Committee.objects, user, Action.CHANGE)
        .select_for_update(of=("self",))
        .filter(
            kind=CommitteeKind.COMMITTEE,
            stage__in=[CommitteeStage.FILED, CommitteeStage.IN_TERM],
            term_ends_on__lt=today,
        )
        .order_by("pk")
    )
    for committee in expired:
        move_committee(
            user=user,
            committee_id=committee.pk,
            to_stage=CommitteeStage.RE_ELECTION,
            on=today,
            note=_("任期已于%(d)s届满") % {"d": committee.term_ends_on},
        )
    # Those already re-electing when the term ran out: only the ledger changes.
    for committee in (
        scoped(Committee.objects, user, Action.CHANGE)
        .filter(kind=CommitteeKind.COMMITTEE, stage=CommitteeStage.RE_ELECTION, term_ends_on__lt=today)
        .exclude(estate__owners_body="none")
        .order_by("pk")
    ):
        _sync_owners_body(user=user, committee=committee, on=today)
    return len(expired)


# What resolves each step of the timetable: the lifecycle move that does the thing.
STEP_RESOLVED_BY = {
    "preparation": gettext_lazy("选举产生业主委员会（办理为“已选举”），或解散筹备组"),
    "assembly": gettext_lazy("召开业主大会（办理为“业主大会已召开”）"),
    "filing": gettext_lazy("备案（办理为“已备案”）"),
    "re_election": gettext_lazy("启动换届（办理为“换届中”）"),
    "term_end": gettext_lazy("换届选举产生新一届（办理为“已选举”），或解散"),
}


def complete_step(*, user, step_id: int, done_on: date):
    """A step is done when the committee makes the move it waits for (move_committee resolves
    it); ticking it off by hand would take a late committee off the street's overdue list
    while nothing happened, so it is refused with the move to make instead."""
    step = get_scoped_object_or_404(CommitteeStep.objects, user, Action.CHANGE, pk=step_id)
    if step.done_on is not None:
        raise ValidationError(_("该事项已经完成。"))
    raise ValidationError(
        _("“%(kind)s”不能直接标记完成，办理相应流转后自动完成：%(how)s。")
        % {"kind": step.get_kind_display(), "how": STEP_RESOLVED_BY.get(step.kind, _("办理流转"))}
    )


@transaction.atomic
def appoint_building_head(*, user, estate_id: int, building_id: int, name: str, phone: str = ""):
    """楼长: one per building; appointing another replaces the previous one."""
    estate = _estate(user, estate_id)
    building = estate.buildings.filter(pk=building_id).first()
    if building is None:
        raise ValidationError({"building": _("请选择本小区的楼栋。")})
    head = BuildingHead.objects.filter(building=building).first() or BuildingHead(estate=estate, building=building)
    head.name, head.phone, head.since = name.strip(), phone.strip(), timezone.localdate()
    head.full_clean()
    head.save()
    return head
