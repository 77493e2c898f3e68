"""API conventions shared by every app: errors as 400 with field messages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _django_errors(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [m for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """DRF's handler, plus: a service's Django ValidationError is a 400 with
    field messages, a protected delete is a 409, never a 500."""
    from communities.services import EditConflict

    if isinstance(exc, EditConflict):
        return Response(
            {
                "detail": str(exc),
                "current_version": exc.current.version,
                "changes": [{"field": c.field, "label": c.label, "seen": c.old, "current": c.new} for c in exc.changes],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        return Response(_django_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        return Response({"detail": _("该记录仍被其他记录引用，不能删除。")}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("没有找到该记录，或不在您的管辖范围内。"))
    return drf_exception_handler(exc, context)
