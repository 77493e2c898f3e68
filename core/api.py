"""API conventions shared by every app: errors as 400 with field messages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import EditConflict


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


# The answers every operation can give besides its success, documented once
# (drf-spectacular postprocessing hook) instead of on each view: a client reads
# them from the schema, and schemathesis holds the API to them.
ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "拒绝或失败的原因。",
        "properties": {"detail": {"type": "string", "description": "中文说明"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "按字段列出的错误：字段名 → 中文错误信息列表；整体错误在 non_field_errors，"
        "请求本身无法解析时在 detail。",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "string"},
                {"type": "object"},
            ]
        },
    },
    "EditConflict": {
        "type": "object",
        "description": "他人已先保存（current_version 为当前版本，changes 列出改动），或记录仍被引用而不能删除。",
        "properties": {
            "detail": {"type": "string"},
            "current_version": {"type": "integer"},
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string"},
                        "label": {"type": "string"},
                        "seen": {},
                        "current": {},
                    },
                },
            },
        },
        "required": ["detail"],
    },
}

ERROR_RESPONSES = {
    "400": ("ValidationErrors", "请求有误：缺少字段、格式或取值不对、违反业务规则。"),
    "403": ("ErrorDetail", "未登录，或您的角色无权执行此操作。"),
    "404": ("ErrorDetail", "没有找到该记录，或不在您的管辖范围内；页码超出范围。"),
    "429": ("ErrorDetail", "请求过于频繁，请稍后再试。"),
}
CONFLICT_RESPONSE = ("EditConflict", "修改冲突：他人已先保存；或记录仍被引用，不能删除。")


def _error_response(component: str, description: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{component}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def add_error_responses(result, generator, request, public):
    """Document the standard error answers on every operation (409 on edits
    and deletes too), keeping any an operation declares itself."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in ERROR_COMPONENTS.items():
        schemas.setdefault(name, component)
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for code, (component, description) in ERROR_RESPONSES.items():
                responses.setdefault(code, _error_response(component, description))
            if method in ("put", "patch", "delete"):
                responses.setdefault("409", _error_response(*CONFLICT_RESPONSE))
    return result
