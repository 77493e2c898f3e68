"""Input hygiene: junk is refused at the door with a 400, not met by a 500 deep inside.

PostgreSQL refuses a NUL character in any text it is given, so a NUL byte in a
path, a query string or a form field used to end as a server error wherever
the value reached a query. An over-long query string is never something the
portal's own pages send. Both are refused here, before any view runs, for
every URL at once.

A view that finds a parameter out of range raises `BadRequest` (see
`core.params`); the same middleware answers it, so every 400 of the portal has
one shape per kind of client:

- under /api/: JSON `{"detail": "…"}`, like DRF's own errors;
- under /open311/: the GeoReport v2 error list `[{"code": 400, "description": "…"}]`,
  as XML when the path ends in .xml;
- elsewhere: the HTML page templates/400.html.
"""

import re
from xml.sax.saxutils import escape

from django.core.exceptions import BadRequest
from django.http import HttpResponse, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# The longest query string and the longest single value in it that a page of
# the portal sends (filters, search terms, a saved filter's query) stay far below these.
MAX_QUERY_STRING = 8_000
MAX_QUERY_VALUE = 2_000

NUL = "\x00"
# A NUL in a JSON body, raw or escaped (`\u0000` preceded by an even number of
# backslashes, so `\\u0000`, an escaped backslash followed by text, is allowed).
_JSON_NUL = re.compile(rb"\x00|(?<!\\)(?:\\\\)*\\u0000")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def bad_request(request, message: str) -> HttpResponse:
    """A 400 in the format the path's clients read."""
    path = request.path_info
    if path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    if path.startswith("/open311/"):
        if path.endswith(".xml"):
            body = (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                f"<errors><error><code>400</code><description>{escape(message)}</description></error></errors>"
            )
            return HttpResponse(body, status=400, content_type="application/xml; charset=utf-8")
        return JsonResponse(
            [{"code": 400, "description": message}], status=400, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    return HttpResponse(render_to_string("400.html", {"message": message}, request=request), status=400)


def _has_nul(params) -> bool:
    return any(NUL in key or any(NUL in value for value in params.getlist(key)) for key in params)


def _refusal(request) -> str | None:
    """Why the request is refused, or None if it may go on."""
    nul = _("请求中含有不允许的字符（空字符）。")
    if NUL in request.path_info or NUL in request.path:
        return nul
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return _("查询参数过长。")
    if _has_nul(request.GET):
        return nul
    for key in request.GET:
        if any(len(value) > MAX_QUERY_VALUE for value in request.GET.getlist(key)):
            return _("查询参数“%(name)s”过长（最多 %(max)s 个字符）。") % {"name": key[:50], "max": MAX_QUERY_VALUE}
    if request.method not in _BODY_METHODS:
        return None
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Form fields, not file contents; an uploaded file's name counts as a field.
        names = (upload.name or "" for _key, uploads in request.FILES.lists() for upload in uploads)
        if _has_nul(request.POST) or any(NUL in name for name in names):
            return nul
    elif content_type == "application/x-www-form-urlencoded":
        # PUT and PATCH forms (the API accepts them): Django leaves them unparsed.
        if _has_nul(QueryDict(request.body, encoding=request.encoding)):
            return nul
    elif _is_json(content_type) and _JSON_NUL.search(request.body):
        return nul
    return None


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


class InputHygieneMiddleware:
    """Refuse NUL characters and over-long query strings with a 400; answer a
    view's `BadRequest` with the same kind of 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = _refusal(request)
        if reason is not None:
            return bad_request(request, reason)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadRequest):
            return bad_request(request, str(exception) or _("请求有误。"))
        return None
