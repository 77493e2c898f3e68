"""Writes to the estate ledger. Pages, the API, imports and commands all call these.

Each function checks the user's scope for the action, validates, writes inside
one transaction and records who did it in the change history.
"""

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped, user_scope
from communities.fields import (
    BUILDING_EDITABLE_FIELDS,
    BULK_EDITABLE_FIELDS,
    ESTATE_EDITABLE_FIELDS,
    HOLDING_EDITABLE_FIELDS,
    RIGHTS_UNIT_EDITABLE_FIELDS,
    STRUCTURE_EDITABLE_FIELDS,
)
from communities.history import TRACKED_MODELS, field_changes
from communities.models import (
    Building,
    Estate,
    EstateAttachment,
    EstateNote,
    Household,
    IllegalStructure,
    ImportBatch,
    ManagementPeriod,
    PropertyRightsUnit,
    RightsHolding,
)
from core.exceptions import EditConflict  # raised here; callers name it services.EditConflict
from core.models import SavedFilter
from org.models import Community


def _conflict(current, seen_version, fields):
    """What changed between the version the clerk saw and the current one, and by whom."""
    history = current.history.all()
    seen = history.filter(version=seen_version).order_by("-history_date", "-history_id").first()
    later = history.filter(version__gt=seen_version).select_related("history_user").order_by("history_date")
    editors = [
        {
            "user": (h.history_user.get_full_name() or h.history_user.username) if h.history_user else _("系统"),
            "at": h.history_date,
        }
        for h in later
    ]
    changes = field_changes(seen, current, fields) if seen is not None else []
    return EditConflict(current, changes, editors, seen=seen, fields=fields)


def _apply_edit(queryset, *, user, pk, data, expected_version, fields):
    """Lock the record the user may change, refuse a stale save, apply the
    edited fields and bump the version. Returns the record and the previous
    values of the fields that changed; the caller validates and saves."""
    instance = get_scoped_object_or_404(queryset.select_for_update(of=("self",)), user, Action.CHANGE, pk=pk)
    if instance.version != expected_version:
        raise _conflict(instance, expected_version, fields)
    before = {}
    for name, value in data.items():
        if name in fields:
            attname = instance._meta.get_field(name).attname
            previous = getattr(instance, attname)
            setattr(instance, name, value)
            if getattr(instance, attname) != previous:
                before[name] = previous
    instance.version += 1
    return instance, before


def _save(instance, *, user, reason=""):
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()
    return instance


def _check_fund_holder_unit(estate):
    unit = estate.fund_holder_unit
    if unit is not None and unit.district_id != estate.community.street.district_id:
        raise ValidationError({"fund_holder_unit": _("持有单位须是本区登记的产权单位。")})


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
    _check_fund_holder_unit(estate)
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
    _check_fund_holder_unit(estate)
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


def _delete_tracked(instance, *, user, reason):
    instance._history_user = user
    instance._change_reason = reason
    instance.delete()


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


def _remove_files(names):
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


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


# --- Buildings ------------------------------------------------------------------


def _child_estate(user, estate_id, action=Action.CHANGE):
    """Changing an estate's buildings, holdings or structures is changing the estate."""
    return get_scoped_object_or_404(Estate.objects, user, action, pk=estate_id)


@transaction.atomic
def create_building(*, user, estate_id: int, data: dict) -> Building:
    estate = _child_estate(user, estate_id)
    building = Building(estate=estate, **{k: v for k, v in data.items() if k in BUILDING_EDITABLE_FIELDS})
    return _save(building, user=user, reason=_("新增"))


@transaction.atomic
def update_building(*, user, building_id: int, data: dict, expected_version: int) -> Building:
    building, _before = _apply_edit(
        Building.objects,
        user=user,
        pk=building_id,
        data=data,
        expected_version=expected_version,
        fields=BUILDING_EDITABLE_FIELDS,
    )
    return _save(building, user=user)


@transaction.atomic
def delete_building(*, user, building_id: int) -> None:
    building = get_scoped_object_or_404(Building.objects, user, Action.CHANGE, pk=building_id)
    for holding in building.holdings.all():
        _delete_tracked(holding, user=user, reason=_("随楼栋删除"))
    _delete_tracked(building, user=user, reason=_("删除楼栋"))


# --- Property-rights units and holdings -------------------------------------------


@transaction.atomic
def create_rights_unit(*, user, data: dict) -> PropertyRightsUnit:
    if not user_scope(user).allows(Action.CREATE, PropertyRightsUnit):
        raise ValidationError(_("您没有新增产权单位的权限。"))
    unit = PropertyRightsUnit(**{k: v for k, v in data.items() if k in RIGHTS_UNIT_EDITABLE_FIELDS})
    if user.street_id:
        unit.street_id = user.street_id
        unit.district_id = user.street.district_id
    elif user.community_id:
        unit.street_id = user.community.street_id
        unit.district_id = user.community.street.district_id
    elif user.district_id:
        unit.district_id = user.district_id
    elif data.get("district") is not None:
        unit.district = data["district"]
    else:
        raise ValidationError({"district": _("请选择所属区。")})
    unit.credit_code = (unit.credit_code or "").strip().upper()
    return _save(unit, user=user, reason=_("新增"))


@transaction.atomic
def update_rights_unit(*, user, unit_id: int, data: dict, expected_version: int) -> PropertyRightsUnit:
    unit, _before = _apply_edit(
        PropertyRightsUnit.objects,
        user=user,
        pk=unit_id,
        data=data,
        expected_version=expected_version,
        fields=RIGHTS_UNIT_EDITABLE_FIELDS,
    )
    unit.credit_code = (unit.credit_code or "").strip().upper()
    if unit.successor_id == unit.pk:
        raise ValidationError({"successor": _("承继单位不能是本单位。")})
    return _save(unit, user=user)


def _check_holding(holding, user):
    if holding.building is not None and holding.building.estate_id != holding.estate_id:
        raise ValidationError({"building": _("所选楼栋不属于该小区。")})
    unit = holding.rights_unit
    if unit is not None and unit.district_id != holding.estate.community.street.district_id:
        raise ValidationError({"rights_unit": _("产权单位须是本区登记的单位。")})


@transaction.atomic
def save_holding(*, user, estate_id: int, data: dict, holding_id: int | None = None) -> RightsHolding:
    estate = _child_estate(user, estate_id)
    if holding_id is None:
        holding = RightsHolding(estate=estate)
    else:
        holding = RightsHolding.objects.select_for_update().filter(estate=estate, pk=holding_id).first()
        if holding is None:
            raise ValidationError(_("没有找到该产权构成记录。"))
    for name in HOLDING_EDITABLE_FIELDS:
        if name in data:
            setattr(holding, name, data[name])
    _check_holding(holding, user)
    return _save(holding, user=user, reason=_("新增") if holding_id is None else "")


@transaction.atomic
def delete_holding(*, user, holding_id: int) -> None:
    holding = get_scoped_object_or_404(RightsHolding.objects, user, Action.CHANGE, pk=holding_id)
    _delete_tracked(holding, user=user, reason=_("删除产权构成"))


# --- Illegal structures, notes, attachments ------------------------------------------


@transaction.atomic
def save_illegal_structure(*, user, estate_id: int, data: dict, structure_id: int | None = None) -> IllegalStructure:
    estate = _child_estate(user, estate_id)
    if structure_id is None:
        structure = IllegalStructure(estate=estate)
    else:
        structure = IllegalStructure.objects.select_for_update().filter(estate=estate, pk=structure_id).first()
        if structure is None:
            raise ValidationError(_("没有找到该违法建设记录。"))
    for name in STRUCTURE_EDITABLE_FIELDS:
        if name in data:
            setattr(structure, name, data[name])
    return _save(structure, user=user, reason=_("新增") if structure_id is None else "")


@transaction.atomic
def add_note(*, user, estate_id: int, text: str) -> EstateNote:
    estate = _child_estate(user, estate_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写内容。")})
    note = EstateNote(estate=estate, author=user, text=text)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def add_attachment(*, user, estate_id: int, upload, description: str = "") -> EstateAttachment:
    from core.uploads import inspect_upload

    estate = _child_estate(user, estate_id)
    checked = inspect_upload(upload)
    attachment = EstateAttachment(
        estate=estate,
        kind=checked.kind,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        description=description.strip()[:200],
        uploaded_by=user,
    )
    attachment.file.save(checked.storage_name, checked.content, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        # The row was not written: the file on disk must not outlive it.
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def delete_attachment(*, user, attachment_id: int) -> None:
    attachment = get_scoped_object_or_404(EstateAttachment.objects, user, Action.CHANGE, pk=attachment_id)
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: _remove_files([name]))


# --- History: revert one change ---------------------------------------------------------


@transaction.atomic
def revert_change(*, user, kind: str, history_id: int):
    """Undo one recorded change: put back the old values it replaced.

    Only the fields that change touched are restored, and only if nobody has
    changed them again since; a deleted building, holding or structure is
    brought back. District officials only.
    """
    if kind not in TRACKED_MODELS:
        raise ValidationError(_("无法撤销此类记录。"))
    model, fields = TRACKED_MODELS[kind]
    record = model.history.filter(history_id=history_id).first()
    if record is None:
        raise ValidationError(_("没有找到这条变更记录。"))
    if not can(user, Action.REVERT, model):
        raise ValidationError(_("只有区级管理人员可以撤销修改。"))

    if record.history_type == "-":
        return _restore_deleted(model, record, user=user)
    if record.history_type != "~":
        raise ValidationError(_("新增记录不能撤销；如需删除请直接删除该记录。"))

    previous = record.prev_record
    if previous is None:
        raise ValidationError(_("找不到修改前的记录，无法撤销。"))
    instance = get_scoped_object_or_404(
        model.objects.select_for_update(of=("self",)), user, Action.CHANGE, pk=record.id
    )
    touched = [c.field for c in record.diff_against(previous, included_fields=fields).changes]
    if not touched:
        raise ValidationError(_("这条记录没有需要撤销的内容。"))
    changed_again = [
        str(model._meta.get_field(name).verbose_name)
        for name in touched
        if getattr(instance, model._meta.get_field(name).attname)
        != getattr(record, model._meta.get_field(name).attname)
    ]
    if changed_again:
        raise ValidationError(
            _("以下字段在这次修改之后又被改过，不能直接撤销：%(fields)s。") % {"fields": "、".join(changed_again)}
        )
    old_mode = getattr(instance, "management_mode", None)
    for name in touched:
        attname = model._meta.get_field(name).attname
        setattr(instance, attname, getattr(previous, attname))
    if hasattr(instance, "version"):
        instance.version += 1
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
    _save(instance, user=user, reason=_("撤销 %(when)s 的修改") % {"when": when})
    if model is Estate and instance.management_mode != old_mode:
        _open_management_period(
            instance, mode=instance.management_mode, since=timezone.localdate(), user=user, note=_("撤销修改")
        )
    return instance


def _restore_deleted(model, record, *, user):
    if model is Estate:
        return restore_estate(user=user, history_id=record.history_id)
    if model.objects.filter(pk=record.id).exists():
        raise ValidationError(_("该记录已经恢复过了。"))
    instance = record.instance
    estate_id = getattr(instance, "estate_id", None)
    if estate_id is None:
        raise ValidationError(_("此类记录的删除不能在这里恢复。"))
    _child_estate(user, estate_id)
    if hasattr(instance, "version"):
        instance.version += 1
    try:
        with transaction.atomic():
            return _save(instance, user=user, reason=_("恢复删除"))
    except IntegrityError as exc:
        raise ValidationError(_("无法恢复：已有相同的记录（例如相同楼号）。")) from exc


# --- Excel import ------------------------------------------------------------------

PREVIEW_SAMPLES = 50
MAX_STORED_ERRORS = 5000


def _samples(result):
    samples = []
    for number, community, data in result.to_create[:PREVIEW_SAMPLES]:
        samples.append(
            {"row": number, "action": "create", "community": community.name, "name": data["name"], "changes": ""}
        )
    for number, estate, changed in result.to_update[:PREVIEW_SAMPLES]:
        labels = "、".join(str(Estate._meta.get_field(name).verbose_name) for name in changed)
        samples.append({"row": number, "action": "update", "community": "", "name": estate.name, "changes": labels})
    return sorted(samples, key=lambda s: s["row"])


def preview_import(*, user, upload):
    """Keep the uploaded file and report what importing it would do; write no
    ledger row. The checked rows are kept with the batch for the commit."""
    import gzip
    import hashlib

    from django.core.files.base import ContentFile

    from communities import ledger_excel

    if not can(user, Action.IMPORT, Estate):
        raise ValidationError(_("您没有导入台账的权限。"))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    token = uuid.uuid4().hex
    batch = ImportBatch(
        uploaded_by=user,
        original_name=upload.name[-200:],
        sha256=digest.hexdigest(),
        status=ImportBatch.Status.REJECTED,
    )
    batch.file.save(f"{token}.xlsx", upload, save=False)
    with batch.file.open("rb") as handle:
        parsed = ledger_excel.parse_ledger(handle)
    result = ledger_excel.resolve_ledger(parsed, user=user)
    if result.ok:
        batch.parsed.save(f"{token}.rows.json.gz", ContentFile(gzip.compress(parsed.to_json().encode())), save=False)
    batch.summary = {**result.summary(), "samples": _samples(result)}
    batch.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
    batch.status = ImportBatch.Status.PREVIEWED if result.ok else ImportBatch.Status.REJECTED
    batch.save()
    return batch


def _parsed_rows(batch):
    import gzip

    from communities import ledger_excel

    if batch.parsed:
        with batch.parsed.open("rb") as handle:
            return ledger_excel.ParsedLedger.from_json(gzip.decompress(handle.read()).decode())
    with batch.file.open("rb") as handle:
        return ledger_excel.parse_ledger(handle)


@transaction.atomic
def commit_import(*, user, batch_id: int):
    """Write a previewed file: every row or none. A batch is committed once,
    however often the button is pressed."""
    from django.http import Http404

    from communities import ledger_excel

    if not can(user, Action.IMPORT, Estate):
        raise ValidationError(_("您没有导入台账的权限。"))
    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, uploaded_by=user, kind="ledger").first()
    if batch is None:
        raise Http404(_("没有找到该导入记录。"))
    if batch.status != ImportBatch.Status.PREVIEWED or not batch.file:
        raise ValidationError(_("该文件已经导入过、已放弃或已过期，请重新上传。"))
    result = ledger_excel.commit_ledger(_parsed_rows(batch), user=user)
    batch.summary = {**result.summary(), "samples": batch.summary.get("samples", [])}
    batch.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
    if result.ok:
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = timezone.now()
    else:
        batch.status = ImportBatch.Status.REJECTED
    batch.save()
    return batch


# --- Household register (户) import ---------------------------------------------------------------------------


def preview_household_import(*, user, estate_id: int, upload):
    """Keep the uploaded register of one estate and report what importing it would do;
    write no household. Same machinery and guarantees as the ledger import."""
    import gzip
    import hashlib

    from django.core.files.base import ContentFile

    from communities import household_excel

    estate = _child_estate(user, estate_id, Action.IMPORT)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    token = uuid.uuid4().hex
    batch = ImportBatch(
        uploaded_by=user,
        kind="household",
        estate=estate,
        original_name=upload.name[-200:],
        sha256=digest.hexdigest(),
        status=ImportBatch.Status.REJECTED,
    )
    batch.file.save(f"{token}.xlsx", upload, save=False)
    with batch.file.open("rb") as handle:
        parsed = household_excel.parse_register(handle)
    result = household_excel.resolve_register(parsed, estate=estate)
    if result.ok:
        batch.parsed.save(f"{token}.rows.json.gz", ContentFile(gzip.compress(parsed.to_json().encode())), save=False)
    samples = [
        {"row": n, "action": "create", "name": f"{b.number}{d['unit']}{d['room']}", "changes": ""}
        for n, b, d in result.to_create[:PREVIEW_SAMPLES]
    ] + [
        {
            "row": n,
            "action": "update",
            "name": str(home),
            "changes": "、".join(str(Household._meta.get_field(k).verbose_name) for k in d),
        }
        for n, home, d in result.to_update[:PREVIEW_SAMPLES]
    ]
    batch.summary = {**result.summary(), "samples": sorted(samples, key=lambda s: s["row"])}
    batch.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
    batch.status = ImportBatch.Status.PREVIEWED if result.ok else ImportBatch.Status.REJECTED
    batch.save()
    return batch


@transaction.atomic
def commit_household_import(*, user, batch_id: int):
    """Write a previewed register: every row or none, once."""
    import gzip

    from django.http import Http404

    from communities import household_excel

    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, uploaded_by=user, kind="household").first()
    if batch is None:
        raise Http404(_("没有找到该导入记录。"))
    estate = _child_estate(user, batch.estate_id, Action.IMPORT)
    if batch.status != ImportBatch.Status.PREVIEWED or not batch.parsed:
        raise ValidationError(_("该文件已经导入过、已放弃或已过期，请重新上传。"))
    with batch.parsed.open("rb") as handle:
        parsed = household_excel.ParsedRegister.from_json(gzip.decompress(handle.read()).decode())
    result = household_excel.commit_register(parsed, estate=estate, user=user)
    batch.summary = {**result.summary(), "samples": batch.summary.get("samples", [])}
    batch.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
    if result.ok:
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = timezone.now()
    else:
        batch.status = ImportBatch.Status.REJECTED
    batch.save()
    return batch


HOUSEHOLD_FIELDS = ("building", "unit", "room", "exclusive_area", "owner_name", "owner_phone", "remarks")


@transaction.atomic
def save_household(*, user, estate_id: int, data: dict, household_id: int | None = None) -> Household:
    """Add one home to the register or correct it (with history)."""
    estate = _child_estate(user, estate_id)
    if household_id is None:
        home = Household(estate=estate)
    else:
        home = get_scoped_object_or_404(
            Household.objects.select_for_update(), user, Action.CHANGE, pk=household_id, estate=estate
        )
        home.version += 1
    for name in HOUSEHOLD_FIELDS:
        if name in data:
            setattr(home, name, data[name])
    if home.building_id is None or home.building.estate_id != estate.pk:
        raise ValidationError({"building": _("请选择本小区的楼栋。")})
    try:
        with transaction.atomic():
            return _save(home, user=user, reason=_("新增") if household_id is None else "")
    except IntegrityError as exc:
        raise ValidationError({"room": _("该楼栋已有相同单元、房号的户。")}) from exc


@transaction.atomic
def discard_import(*, user, batch: ImportBatch) -> bool:
    """Give up a previewed upload (ledger or register): nothing was written and
    now nothing will be. Another user's batch, or one already committed,
    rejected or discarded, is left as it is. Returns whether it was discarded."""
    if batch.uploaded_by_id != user.pk or batch.status != ImportBatch.Status.PREVIEWED:
        return False
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status"])
    return True


# --- What other apps change in the ledger ----------------------------------------------


@transaction.atomic
def draw_from_fund(*, user, estate_id: int, amount, reason: str) -> Estate:
    """Take `amount` 元 from the estate's maintenance-fund balance, never below zero.

    The row is locked for the caller's transaction, so two draws cannot both pass
    the check; the estate's history records who drew and why. Raises
    ValidationError on the field "amount" when the balance does not cover it."""
    estate = Estate.objects.select_for_update().get(pk=estate_id)
    if estate.fund_balance is None or estate.fund_balance < amount:
        raise ValidationError({"amount": _("金额超过维修资金余额（%(b)s元）。") % {"b": estate.fund_balance or 0}})
    estate.fund_balance -= amount
    estate.version += 1
    estate._history_user = user
    estate._change_reason = reason
    estate.save(update_fields=["fund_balance", "version"])
    return estate


# --- Saved filters (常用筛选) ------------------------------------------------------------


@transaction.atomic
def save_filter(*, user, list_name: str, name: str, query: str) -> SavedFilter:
    """Keep a user's filters under a name, one name once per user and list.
    Only the query string is kept: the scope is applied again on every use."""
    name = name.strip()
    if SavedFilter.objects.filter(owner=user, list_name=list_name, name=name).exists():
        raise ValidationError(_("您已有名为“%(name)s”的常用筛选。") % {"name": name}, code="duplicate")
    saved = SavedFilter(owner=user, list_name=list_name, name=name, query=query)
    # The name was checked above, and the owner is the user: no queries to repeat that.
    saved.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=False)
    saved.save()
    return saved


@transaction.atomic
def delete_filter(*, user, filter_id: int) -> bool:
    """Delete one of the user's own saved filters; another's is not found. Returns whether one was deleted."""
    deleted, _count = SavedFilter.objects.filter(owner=user, pk=filter_id).delete()
    return bool(deleted)
