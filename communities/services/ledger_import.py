"""The ledger's Excel import: preview an upload (write nothing), then commit it, all
rows or none, once; or discard it."""

import gzip
import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can
from communities import ledger_excel
from communities.models import Estate, ImportBatch

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

    if batch.parsed:
        with batch.parsed.open("rb") as handle:
            return ledger_excel.ParsedLedger.from_json(gzip.decompress(handle.read()).decode())
    with batch.file.open("rb") as handle:
        return ledger_excel.parse_ledger(handle)


@transaction.atomic
def commit_import(*, user, batch_id: int):
    """Write a previewed file: every row or none. A batch is committed once,
    however often the button is pressed."""
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
