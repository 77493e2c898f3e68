"""How long the ledger keeps uploaded workbooks.

An import keeps the clerk's upload and its parsed preview only until it is
committed or abandoned; after IMPORT_KEEP_HOURS the files go (they hold
residents' details) and the batch record stays as the history of the import.
Run hourly by core's clean-up task, which this app registers it with.
"""

from datetime import timedelta

from django.conf import settings

from communities.models import ImportBatch


def purge_old_uploads(*, now) -> int:
    """Delete the files of imports older than IMPORT_KEEP_HOURS; returns how many batches lost theirs."""
    removed = 0
    old = now - timedelta(hours=settings.IMPORT_KEEP_HOURS)
    for batch in ImportBatch.objects.filter(created_at__lt=old).exclude(file=""):
        batch.file.delete(save=False)
        if batch.parsed:
            batch.parsed.delete(save=False)
        if batch.status == ImportBatch.Status.PREVIEWED:
            batch.status = ImportBatch.Status.DISCARDED  # too old to commit: upload again
        batch.save(update_fields=["file", "parsed", "status"])
        removed += 1
    return removed
