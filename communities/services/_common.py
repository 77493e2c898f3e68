"""What the ledger's writes share: the optimistic lock (a stale save raises
EditConflict with what changed and who changed it), the save that records who did
it in the history, the tracked delete, and the estate a child record hangs off."""

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from accounts.scoping import Action, get_scoped_object_or_404
from communities.history import field_changes
from communities.models import Estate
from core.exceptions import EditConflict


def _conflict(current, seen_version, fields):
    """What changed between the version the clerk saw and the current one, and by whom."""
    history = current.history.all()
    seen = history.filter(version=seen_version).order_by("-history_date", "-history_id").first()
    later = history.filter(version__gt=seen_version).select_related("history_user").order_by("history_date")
    editors = [
        {
            "user": (h.history_user.get_full_name() or h.history_user.username) if h.history_user else _("系统"),
            "at": h.history_date,
        }
        for h in later
    ]
    changes = field_changes(seen, current, fields) if seen is not None else []
    return EditConflict(current, changes, editors, seen=seen, fields=fields)


def _apply_edit(queryset, *, user, pk, data, expected_version, fields):
    """Lock the record the user may change, refuse a stale save, apply the
    edited fields and bump the version. Returns the record and the previous
    values of the fields that changed; the caller validates and saves."""
    instance = get_scoped_object_or_404(queryset.select_for_update(of=("self",)), user, Action.CHANGE, pk=pk)
    if instance.version != expected_version:
        raise _conflict(instance, expected_version, fields)
    before = {}
    for name, value in data.items():
        if name in fields:
            attname = instance._meta.get_field(name).attname
            previous = getattr(instance, attname)
            setattr(instance, name, value)
            if getattr(instance, attname) != previous:
                before[name] = previous
    instance.version += 1
    return instance, before


def _save(instance, *, user, reason=""):
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()
    return instance


def _delete_tracked(instance, *, user, reason):
    instance._history_user = user
    instance._change_reason = reason
    instance.delete()


def _remove_files(names):
    for name in names:
        default_storage.delete(name)


def _child_estate(user, estate_id, action=Action.CHANGE):
    """Changing an estate's buildings, holdings or structures is changing the estate."""
    return get_scoped_object_or_404(Estate.objects, user, action, pk=estate_id)
