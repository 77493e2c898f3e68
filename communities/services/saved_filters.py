"""Saved filters (常用筛选): a user's own named query strings of a list."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import SavedFilter


@transaction.atomic
def save_filter(*, user, list_name: str, name: str, query: str) -> SavedFilter:
    """Keep a user's filters under a name, one name once per user and list.
    Only the query string is kept: the scope is applied again on every use."""
    name = name.strip()
    if SavedFilter.objects.filter(owner=user, list_name=list_name, name=name).exists():
        raise ValidationError(_("您已有名为“%(name)s”的常用筛选。") % {"name": name}, code="duplicate")
    saved = SavedFilter(owner=user, list_name=list_name, name=name, query=query)
    # The name was checked above, and the owner is the user: no queries to repeat that.
    saved.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=False)
    saved.save()
    return saved


@transaction.atomic
def delete_filter(*, user, filter_id: int) -> bool:
    """Delete one of the user's own saved filters; another's is not found. Returns whether one was deleted."""
    deleted, _count = SavedFilter.objects.filter(owner=user, pk=filter_id).delete()
    return bool(deleted)
