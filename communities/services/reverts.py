"""History: undo one recorded change, or bring back what was deleted."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404
from communities.history import TRACKED_MODELS
from communities.models import Estate
from communities.services._common import _child_estate, _save
from communities.services.estates import _open_management_period, restore_estate


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
