"""The change history of the ledger, as clerks read it: who, when, and for each
field the old and the new value in words (choice labels, names, 是/否)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils.translation import gettext as _

from communities.fields import (
    BUILDING_EDITABLE_FIELDS,
    ESTATE_EDITABLE_FIELDS,
    HOLDING_EDITABLE_FIELDS,
    RIGHTS_UNIT_EDITABLE_FIELDS,
    STRUCTURE_EDITABLE_FIELDS,
)
from communities.models import Building, Estate, IllegalStructure, PropertyRightsUnit, RightsHolding
from core.figures import format_count, format_money

# kind (as in URLs) → model and the fields whose changes are shown and revertible
TRACKED_MODELS = {
    "estate": (Estate, ESTATE_EDITABLE_FIELDS),
    "building": (Building, BUILDING_EDITABLE_FIELDS),
    "rightsunit": (PropertyRightsUnit, RIGHTS_UNIT_EDITABLE_FIELDS),
    "holding": (RightsHolding, HOLDING_EDITABLE_FIELDS),
    "structure": (IllegalStructure, STRUCTURE_EDITABLE_FIELDS),
}


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


def display_value(value, model_field, lookup_cache=None):
    """A stored value as a clerk reads it. Related objects are looked up once
    per `lookup_cache` (pass one dict for a whole page of history)."""
    lookup_cache = {} if lookup_cache is None else lookup_cache
    if model_field.is_relation:
        if value is None:
            return ""
        key = (model_field.related_model, value)
        if key not in lookup_cache:
            related = model_field.related_model._base_manager.filter(pk=value).first()
            lookup_cache[key] = str(related) if related is not None else f"#{value}"
        return lookup_cache[key]
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value or ""))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return ""
    if isinstance(model_field, models.DecimalField):
        # 1,658,647.00 → 1,640,047.00: money and areas as the pages show them (core.figures).
        return format_money(value, model_field.decimal_places)
    if isinstance(model_field, models.IntegerField) and "year" not in model_field.name:
        return format_count(value)  # households 1,234; a year stays 1985
    return str(value)


def field_changes(before, after, fields, lookup_cache=None) -> list[FieldChange]:
    """The fields whose stored values differ between two versions of a record
    (model instances or history records)."""
    lookup_cache = {} if lookup_cache is None else lookup_cache
    meta = after.instance_type._meta if hasattr(after, "instance_type") else after._meta
    changes = []
    for name in fields:
        model_field = meta.get_field(name)
        old, new = getattr(before, model_field.attname), getattr(after, model_field.attname)
        if old != new:
            changes.append(
                FieldChange(
                    field=name,
                    label=str(model_field.verbose_name),
                    old=display_value(old, model_field, lookup_cache),
                    new=display_value(new, model_field, lookup_cache),
                )
            )
    return changes


@dataclass
class HistoryEntry:
    kind: str
    history_id: int
    object_label: str
    action: str  # "+", "~", "-"
    at: datetime
    user: str
    reason: str
    changes: list = field(default_factory=list)


def _history_user(record):
    user = record.history_user
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _entries(kind, records, fields, label, lookup_cache):
    """History entries from one model's records, each diffed against the
    record before it for the same object (computed here, not one query each)."""
    entries = []
    previous_by_id = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        prev = previous_by_id.get(record.id)
        previous_by_id[record.id] = record
        changes = []
        if record.history_type == "~" and prev is not None:
            changes = field_changes(prev, record, fields, lookup_cache)
            if not changes:
                continue
        entries.append(
            HistoryEntry(
                kind=kind,
                history_id=record.history_id,
                object_label=label(record),
                action=record.history_type,
                at=record.history_date,
                user=_history_user(record),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def estate_history(estate: Estate, limit: int = 200) -> list[HistoryEntry]:
    """Every recorded change to the estate, its buildings, holdings and illegal
    structures, newest first, with old → new per field."""
    cache = {}

    def records(model, **filters):
        return list(model.history.filter(**filters).select_related("history_user"))

    entries = []
    for kind, model, filters, label in (
        ("estate", Estate, {"id": estate.pk}, lambda r: str(r.name)),
        ("building", Building, {"estate_id": estate.pk}, lambda r: str(r.number)),
        ("holding", RightsHolding, {"estate_id": estate.pk}, lambda r: r.get_rights_form_display()),
        ("structure", IllegalStructure, {"estate_id": estate.pk}, lambda r: r.description),
    ):
        entries += _entries(kind, records(model, **filters), TRACKED_MODELS[kind][1], label, cache)
    entries.sort(key=lambda e: (e.at, e.history_id), reverse=True)
    return entries[:limit]


def rights_unit_history(unit: PropertyRightsUnit, limit: int = 200) -> list[HistoryEntry]:
    recs = list(PropertyRightsUnit.history.filter(id=unit.pk).select_related("history_user"))
    entries = _entries("rightsunit", recs, TRACKED_MODELS["rightsunit"][1], lambda r: r.name, {})
    entries.sort(key=lambda e: (e.at, e.history_id), reverse=True)
    return entries[:limit]
