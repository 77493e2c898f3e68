"""What is recorded about an estate besides its fields: illegal structures, notes, attachments."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404
from communities.fields import STRUCTURE_EDITABLE_FIELDS
from communities.models import EstateAttachment, EstateNote, IllegalStructure
from communities.services._common import _child_estate, _remove_files, _save
from core.uploads import inspect_upload


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
