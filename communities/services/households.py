"""The household register (户): its Excel import and one home added or corrected."""

import gzip
import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404
from communities import household_excel
from communities.models import Household, ImportBatch
from communities.services._common import _child_estate, _save
from communities.services.ledger_import import MAX_STORED_ERRORS, PREVIEW_SAMPLES


def preview_household_import(*, user, estate_id: int, upload):
    """Keep the uploaded register of one estate and report what importing it would do;
    write no household. Same machinery and guarantees as the ledger import."""
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
