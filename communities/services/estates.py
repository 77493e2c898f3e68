"""Estates: create, edit (one or many), delete and restore, and the fund draw other apps make."""

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped
from communities.fields import BULK_EDITABLE_FIELDS, ESTATE_EDITABLE_FIELDS
from communities.models import Building, Estate, IllegalStructure, ManagementPeriod, RightsHolding
from communities.services._common import _apply_edit, _delete_tracked, _remove_files, _save
from org.models import Community


def _open_management_period(estate, *, mode, since, user, note=""):
    ManagementPeriod.objects.filter(estate=estate, ended_on__isnull=True).update(ended_on=since)
    ManagementPeriod.objects.create(estate=estate, mode=mode, started_on=since, note=note, recorded_by=user)


def _check_mode_since(estate, since):
    current = ManagementPeriod.objects.filter(estate=estate, ended_on__isnull=True).first()
    if current is not None and since < current.started_on:
        raise ValidationError(
            {"mode_since": _("变更日期不能早于现行管理模式的开始日期（%(d)s）。") % {"d": current.started_on}}
        )


@transaction.atomic
def create_estate(*, user, data: dict, mode_since: date | None = None) -> Estate:
    community = data.get("community")
    if community is None or not scoped(Community.objects, user).filter(pk=community.pk).exists():
        raise ValidationError({"community": _("请选择您管辖范围内的社区。")})
    if not can(user, Action.CREATE, Estate):
        raise ValidationError(_("您没有新增小区的权限。"))
    estate = Estate(**{k: v for k, v in data.items() if k in ESTATE_EDITABLE_FIELDS})
    _save(estate, user=user, reason=_("新增"))
    _open_management_period(estate, mode=estate.management_mode, since=mode_since or timezone.localdate(), user=user)
    return estate


@transaction.atomic
def update_estate(*, user, estate_id: int, data: dict, expected_version: int, mode_since: date | None = None) -> Estate:
    """Save a clerk's edit, or raise EditConflict if someone saved first."""
    estate, before = _apply_edit(
        Estate.objects,
        user=user,
        pk=estate_id,
        data=data,
        expected_version=expected_version,
        fields=ESTATE_EDITABLE_FIELDS,
    )
    moved = "community" in before
    if moved and not scoped(Community.objects, user, Action.VIEW).filter(pk=estate.community_id).exists():
        raise ValidationError({"community": _("请选择您管辖范围内的社区。")})
    since = mode_since or timezone.localdate()
    mode_changed = "management_mode" in before
    if mode_changed:
        _check_mode_since(estate, since)
    _save(estate, user=user)
    if mode_changed:
        _open_management_period(estate, mode=estate.management_mode, since=since, user=user)
    return estate


@transaction.atomic
def bulk_update_estates(*, user, estate_ids: list[int], changes: dict, mode_since: date | None = None) -> int:
    """Apply the same changes to many estates, all or none.

    If any selected estate is outside the user's scope the whole request is
    refused: a bulk edit never half-applies.
    """
    changes = {k: v for k, v in changes.items() if k in BULK_EDITABLE_FIELDS and v not in (None, "")}
    if not changes:
        raise ValidationError(_("请至少选择一项要修改的内容。"))
    ids = sorted(set(estate_ids))
    if not ids:
        raise ValidationError(_("请先勾选要修改的小区。"))
    estates = list(
        scoped(Estate.objects, user, Action.CHANGE).filter(pk__in=ids).select_for_update(of=("self",)).order_by("pk")
    )
    if len(estates) != len(ids):
        raise ValidationError(
            _("所选小区中有%(n)s个不在您的管辖范围内，未做任何修改。") % {"n": len(ids) - len(estates)}
        )
    since = mode_since or timezone.localdate()
    changed = 0
    for estate in estates:
        old_mode = estate.management_mode
        if all(getattr(estate, k) == v for k, v in changes.items()):
            continue
        for name, value in changes.items():
            setattr(estate, name, value)
        if estate.management_mode != old_mode:
            _check_mode_since(estate, since)
        estate.version += 1
        _save(estate, user=user, reason=_("批量修改"))
        if estate.management_mode != old_mode:
            _open_management_period(estate, mode=estate.management_mode, since=since, user=user, note=_("批量修改"))
        changed += 1
    return changed


@transaction.atomic
def delete_estate(*, user, estate_id: int) -> str:
    """Delete an estate with its buildings, holdings and illegal structures.

    They are deleted one by one under one operation mark so that a district
    official can restore them together (restore_estate).
    """
    estate = get_scoped_object_or_404(Estate.objects.select_for_update(of=("self",)), user, Action.DELETE, pk=estate_id)
    op = f"{_('删除小区')} op:{uuid.uuid4().hex}"
    for holding in estate.holdings.all():
        _delete_tracked(holding, user=user, reason=op)
    for structure in estate.illegal_structures.all():
        _delete_tracked(structure, user=user, reason=op)
    for building in estate.buildings.all():
        _delete_tracked(building, user=user, reason=op)
    files = [a.file.name for a in estate.attachments.all()]
    try:
        _delete_tracked(estate, user=user, reason=op)
    except ProtectedError as exc:
        raise ValidationError(
            _("该小区仍被其他记录引用（%(what)s），不能删除。")
            % {"what": "、".join(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))}
        ) from exc
    transaction.on_commit(lambda: _remove_files(files))
    return op


@transaction.atomic
def restore_estate(*, user, history_id: int) -> Estate:
    """Bring back an estate deleted by delete_estate, with what was deleted with it."""
    record = Estate.history.filter(history_id=history_id, history_type="-").first()
    if record is None:
        raise ValidationError(_("没有找到这条删除记录。"))
    if (
        not can(user, Action.REVERT, Estate)
        or not scoped(Community.objects, user).filter(pk=record.community_id).exists()
    ):
        raise ValidationError(_("您没有恢复该小区的权限。"))
    if Estate.objects.filter(pk=record.id).exists():
        raise ValidationError(_("该小区已经恢复过了。"))
    op = record.history_change_reason or ""
    estate = record.instance
    estate.version += 1
    try:
        with transaction.atomic():
            _save(estate, user=user, reason=_("恢复删除的小区"))
            if op.startswith(_("删除小区")):
                for model in (Building, IllegalStructure, RightsHolding):
                    for rec in model.history.filter(history_type="-", history_change_reason=op):
                        _save(rec.instance, user=user, reason=_("随小区恢复"))
    except IntegrityError as exc:
        raise ValidationError(_("无法恢复：该社区已有同名小区或相同楼号。")) from exc
    _open_management_period(
        estate, mode=estate.management_mode, since=timezone.localdate(), user=user, note=_("恢复删除的小区")
    )
    return estate


# --- What other apps change in the ledger ----------------------------------------------


@transaction.atomic
def cache_fund_facts(*, user, estate_id: int, balance, holder: str, holder_unit_id: int | None, reason: str) -> Estate:
    """Write the estate's copy of its maintenance-fund facts: the balance (the sum of its
    accounts' transactions) and the holder, as the fund ledger computed them.

    Only the fund services call this, in the transaction that posts to the ledger, so the
    copy never differs from the ledger; clerks no longer type these fields. Other apps
    (the renovation gate, the ledger export) read the copy without reaching into the
    property app. The version is not bumped: a clerk's open edit form holds none of
    these fields, so nothing they typed conflicts with it."""
    estate = Estate.objects.select_for_update(of=("self",)).get(pk=estate_id)
    changed = (estate.fund_balance, estate.fund_holder, estate.fund_holder_unit_id) != (balance, holder, holder_unit_id)
    if changed:
        estate.fund_balance, estate.fund_holder, estate.fund_holder_unit_id = balance, holder, holder_unit_id
        estate._history_user = user
        estate._change_reason = reason
        estate.save(update_fields=["fund_balance", "fund_holder", "fund_holder_unit", "updated_at"])
    return estate
