"""The report workbook: one .xlsx for a period and a scope, a sheet per subject
(sheets.py), each from the selector the subject's own pages read.

The rows are one per street, so even the country's workbook holds a few
thousand rows; what costs time is the grouped queries over its estates. A
scope with more estates than settings.WORKBOOK_ASYNC_ESTATES is therefore
built by the worker (core.exports), smaller ones in the request.
"""

from django.conf import settings
from django.shortcuts import redirect
from django.utils import timezone

from accounts.scoping import Action
from communities import selectors as ledger_selectors
from core.exports import start_export
from core.xlsx import new_workbook, xlsx_download
from dashboard.board import scope_name
from dashboard.workbook.period import QUARTERS, Context, Period
from dashboard.workbook.sheets import (
    ledger_groups,
    sheet_names,
    write_committees,
    write_complaints,
    write_cover,
    write_coverage,
    write_ledger_summary,
    write_renovation,
    write_subsidies,
)

__all__ = [
    "EXPORT_KIND",
    "QUARTERS",
    "Context",
    "Period",
    "estates_in_scope",
    "export_filename",
    "export_for_job",
    "export_workbook",
    "sheet_names",
    "write_workbook",
]

EXPORT_KIND = "workbook"


def write_workbook(fileobj, *, user, period: Period, street=None, progress=None) -> int:
    """The whole workbook into `fileobj`; returns the data rows written.
    `street` (a StreetOffice the caller checked is inside the user's scope)
    narrows every sheet to it. `progress(rows)` is called after each sheet."""
    ctx = Context(user=user, period=period, street=street, made_at=timezone.localtime())
    done = 0
    with new_workbook(fileobj) as book:
        write_cover(book, ctx)
        groups, total = ledger_groups(ctx)
        for write in (
            lambda: write_ledger_summary(book, ctx, groups, total),
            lambda: write_coverage(book, ctx, groups, total),
            lambda: write_renovation(book, ctx),
            lambda: write_complaints(book, ctx),
            lambda: write_committees(book, ctx),
            lambda: write_subsidies(book, ctx),
        ):
            done += write()
            if progress is not None:
                progress(done)
    return done


# --- download or background job --------------------------------------------------------


def export_filename(user, period: Period, street=None) -> str:
    unit = street.name if street is not None else scope_name(user)
    return f"老旧小区工作报表_{unit}_{period.label}_{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def estates_in_scope(user, street=None) -> int:
    estates = ledger_selectors.estates_for(user=user, action=Action.EXPORT)
    if street is not None:
        estates = estates.filter(community__street_id=street.pk)
    return estates.order_by().count()


def export_workbook(*, user, period: Period, street=None):
    """Small scopes download at once; larger ones (more estates than
    settings.WORKBOOK_ASYNC_ESTATES) become a background job whose page shows
    the progress and, when done, the download link for this user alone."""
    filename = export_filename(user, period, street)
    if estates_in_scope(user, street) > settings.WORKBOOK_ASYNC_ESTATES:
        streets = 1 if street is not None else ledger_selectors.streets_for(user=user).count()
        job = start_export(
            user=user,
            kind=EXPORT_KIND,
            # about one row per street on each subject's sheet
            total_rows=max(1, streets) * len(sheet_names()),
            params={**period.as_params(), "street": street.pk if street is not None else "", "filename": filename},
        )
        return redirect("core:export_job", pk=job.pk)
    return xlsx_download(
        lambda handle: write_workbook(handle, user=user, period=period, street=street), filename=filename
    )


def export_for_job(job, fileobj, progress):
    """The workbook of a background job: the form is checked again against the
    requesting user's scope as it is now, so a job never reaches wider than
    its user may when it runs."""
    from dashboard.forms import WorkbookForm  # the form names this module's Period: imported when a job runs

    user = job.requested_by
    form = WorkbookForm(job.params, user=user)
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    period = form.period()
    street = form.cleaned_data.get("street")
    rows = write_workbook(fileobj, user=user, period=period, street=street, progress=progress)
    return rows, job.params.get("filename") or export_filename(user, period, street)
