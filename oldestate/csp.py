"""The Content-Security-Policy middleware, with the one exception the admin needs.

The portal's pages follow the strict policy in settings.CONTENT_SECURITY_POLICY.
Django's admin and django-simple-history's history pages, which we do not
write, still put a few inline styles in their templates (a `<style>` on change
lists without actions, `style="border-top: 0"` on history pages): under
/admin/ only, inline *styles* are allowed. Scripts stay strict there too
(django-celery-beat's inline script is moved to a static file by the
template override in templates/admin/djcelery/).
"""

from functools import cache

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.urls import reverse


@cache
def admin_prefix() -> str:
    return reverse("admin:index")


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(admin_prefix()):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts
