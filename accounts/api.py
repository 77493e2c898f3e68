"""The scoped REST API base every app's viewsets and serializers build on.

Scoping is this layer's (accounts.scoping), so the shared API pieces that apply
it live here rather than in one domain app for the others to borrow: a viewset
mixin that lists through the caller's scope and tells 404 from 403 as the pages
do, a read-only viewset on it, the permission that refuses a role's impossible
writes before the body is read, and serializers whose related ids are looked
up only within the caller's scope.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers, viewsets

from accounts.scoping import Action, can, get_scoped_object_or_404, scoped

WRITE_ACTIONS = {"update": Action.CHANGE, "partial_update": Action.CHANGE, "destroy": Action.DELETE}
# Any one path segment reaches the view as the id ("abc", "1.5", "-1"): the
# view answers 404 in JSON, instead of the router's pattern ([^/.]+ by default)
# letting Django answer its HTML page.
ANY_SEGMENT = "[^/]+"


class RoleMayWrite(permissions.IsAuthenticated):
    """A write the caller's role may never make is refused with 403 before the
    body is read (an auditor's POST is a 403, not a 400 listing the fields).

    Which action a view's write takes: `create` is CREATE, the others are named
    in the view's `write_actions` (CHANGE when not named). Where the caller may
    take it (their street, their community) is decided per object afterwards:
    404 outside the scope, 403 inside it without the right.
    """

    message = _("您没有权限执行此操作。")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        action = Action.CREATE if view.action == "create" else view.write_actions.get(view.action, Action.CHANGE)
        return can(request.user, action, view.base_queryset().model)


class ScopedViewSetMixin:
    """Lists through the caller's view scope; an object outside it is a 404,
    one inside it that the caller may not change is a 403, and a write the
    caller's role never makes is a 403 before the body is validated."""

    base_queryset = None  # a callable returning the unscoped queryset
    write_actions = WRITE_ACTIONS
    permission_classes = [RoleMayWrite]
    lookup_value_regex = ANY_SEGMENT

    def get_queryset(self):
        return scoped(self.base_queryset(), self.request.user, Action.VIEW)

    def get_object(self):
        action = self.write_actions.get(self.action, Action.VIEW)
        obj = get_scoped_object_or_404(self.base_queryset(), self.request.user, action, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and read within the caller's scope (404 outside it); nothing to write.

    With no write to weigh, the permission is the API's default (signed in), so
    an unsafe method is a 405 for everyone signed in, whatever their role.
    """

    permission_classes = viewsets.ReadOnlyModelViewSet.permission_classes


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id looked up only among the rows the caller may see.

    An id of another street is refused with the same 400 and the same words as
    an id that does not exist, so the answer reveals nothing outside the
    caller's scope. Whether the caller may write there is the service's
    question (403), asked after this one.
    """

    def __init__(self, **kwargs):
        self.scope_action = kwargs.pop("scope_action", Action.VIEW)
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return scoped(queryset, request.user, self.scope_action)


class ScopedModelSerializer(serializers.ModelSerializer):
    """A model serializer whose every writable foreign key is scoped to the
    caller (ScopedPrimaryKeyRelatedField): no writable serializer can forget one."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
