"""The one gate between a user and the data: who may see and do what, where.

Every read and write path (pages, forms, the REST API, Excel import and export,
background jobs) starts from `scoped(queryset, user, action)`. A user sees the
subtree of the organisation node they belong to; their role decides which
actions they may take there. Models say how they hang off the tree through
`scope_paths` (or a `scope_q` classmethod when a plain path is not enough).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role
from core.params import parse_id


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    IMPORT = "import"
    EXPORT = "export"
    REVERT = "revert"
    # Decisions reserved to district officials: approving subsidy runs and
    # complaint deadline extensions, overriding renovation gates.
    APPROVE = "approve"


ROLE_ACTIONS = {
    Role.DISTRICT_OFFICIAL: frozenset(Action),
    Role.STREET_STAFF: frozenset(
        {Action.VIEW, Action.CREATE, Action.CHANGE, Action.DELETE, Action.IMPORT, Action.EXPORT}
    ),
    # "Read most, edit only their community": they keep their community's
    # ledger up to date but neither delete estates nor import files.
    Role.COMMUNITY_WORKER: frozenset({Action.VIEW, Action.CREATE, Action.CHANGE, Action.EXPORT}),
    Role.AUDITOR: frozenset({Action.VIEW, Action.EXPORT}),
}

LEVEL_ALL = "all"
LEVEL_NONE = "none"


@dataclass(frozen=True)
class Scope:
    role: str
    level: str  # all | district | street | community | none
    node_id: int | None

    def allows(self, action: Action, model=None) -> bool:
        if self.level == LEVEL_NONE:
            return False
        if self.level == LEVEL_ALL:
            return True
        if action not in ROLE_ACTIONS.get(self.role, frozenset()):
            return False
        writers = getattr(model, "scope_writers", None)
        if writers is not None and action != Action.VIEW and action != Action.EXPORT:
            return self.role in writers
        return True


def user_scope(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope(role="", level=LEVEL_NONE, node_id=None)
    elif user.is_superuser:
        scope = Scope(role="", level=LEVEL_ALL, node_id=None)
    elif user.role and user.community_id:
        scope = Scope(role=user.role, level="community", node_id=user.community_id)
    elif user.role and user.street_id:
        scope = Scope(role=user.role, level="street", node_id=user.street_id)
    elif user.role and user.district_id:
        scope = Scope(role=user.role, level="district", node_id=user.district_id)
    else:
        scope = Scope(role="", level=LEVEL_NONE, node_id=None)
    if getattr(user, "is_authenticated", False):
        user._portal_scope = scope
    return scope


def scope_q(model, level: str, node_id: int) -> Q:
    """The condition that keeps `model`'s rows inside one node's subtree."""
    custom = getattr(model, "scope_q", None)
    if custom is not None:
        return custom(level, node_id)
    return Q(**{model.scope_paths[level]: node_id})


def scoped(queryset: QuerySet, user, action: Action = Action.VIEW) -> QuerySet:
    """Restrict `queryset` to the rows `user` may take `action` on."""
    scope = user_scope(user)
    model = queryset.model
    if not scope.allows(action, model):
        return queryset.none()
    if scope.level == LEVEL_ALL:
        return queryset
    return queryset.filter(scope_q(model, scope.level, scope.node_id))


def can(user, action: Action, model=None) -> bool:
    """Whether the user's role allows `action` anywhere (for showing buttons)."""
    return user_scope(user).allows(action, model)


def get_scoped_object_or_404(queryset: QuerySet, user, action: Action = Action.VIEW, **lookup):
    """The object if the user may take `action` on it.

    Outside the user's view scope the object does not exist for them (404);
    inside it but without the right to act, the refusal says so (403).
    Lookup values usually come straight from a URL: one that cannot name a
    row ("abc", "²", "١٢", a number beyond bigint) is not found either.
    """
    not_found = Http404(_("没有找到该记录，或不在您的管辖范围内。"))
    try:
        lookup = {key: _lookup_value(queryset.model, key, value) for key, value in lookup.items()}
        found = scoped(queryset, user, action).filter(**lookup)
    except (_NoSuchRow, ValueError, ValidationError):
        # ValueError / ValidationError: a field's own parsing refused the value
        # (a malformed UUID, say) while the filter was built.
        raise not_found from None
    obj = found.first()
    if obj is not None:
        return obj
    if action != Action.VIEW and scoped(queryset, user, Action.VIEW).filter(**lookup).exists():
        raise PermissionDenied(_("您没有权限执行此操作。"))
    raise not_found


class _NoSuchRow(Exception):
    """A lookup value that cannot name any row."""


def _lookup_field(model, key: str):
    """The field a lookup such as `pk`, `estate_id` or `estate__pk` compares
    its value with (None for other lookups, such as `__isnull`)."""
    field = None
    for part in key.split(LOOKUP_SEP):
        if part == "exact" and field is not None:
            break
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.is_relation:
            if not field.concrete or field.many_to_many:
                return None
            model = field.related_model
            field = getattr(field, "target_field", None)
    return field


def _lookup_value(model, key: str, value):
    """Text or a number compared with an integer key, parsed strictly: an id
    that came from a URL names a row only if it is a plain number in range."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return value
    field = _lookup_field(model, key)
    if not (isinstance(field, IntegerField) and field.primary_key):
        return value
    number = parse_id(value)
    if number is None:
        raise _NoSuchRow(key)
    return number
