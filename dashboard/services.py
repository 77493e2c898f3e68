"""Writes of the dashboard: the month-end snapshots behind its trends."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from communities.selectors import LedgerGroup, all_estates, community_parents, ledger_breakdown
from dashboard.models import MonthlySnapshot
from propertymgmt.selectors import overdue_committees_all
from renovation.selectors import outputs_by_community


def previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def snapshot_figures(group, *, committees_overdue: int = 0, outputs: dict | None = None) -> dict:
    """The figures a snapshot keeps of one node (a communities.selectors.LedgerGroup),
    with the year's renovation outputs so far (raw quantities per output)."""
    return {
        "outputs": {output: str(quantity) for output, quantity in (outputs or {}).items()},
        "estates": group.estates,
        "old_estates": group.old_estates,
        "old_households": group.old_households,
        "old_floor_area": str(group.old_floor_area),
        "modes": {mode: [count, str(area)] for mode, (count, area) in group.modes.items()},
        "committees_overdue": committees_overdue,
    }


@transaction.atomic
def take_snapshots(*, month: date | None = None, today: date | None = None) -> int:
    """Record every node's figures as the month-end snapshot of `month` (by
    default the month before today). Exactly once: a month already recorded
    is left as it was, so running the task again, or on a later day, writes
    nothing. Returns the number of snapshots written."""
    today = today or timezone.localdate()
    month = (month or previous_month(today)).replace(day=1)
    if MonthlySnapshot.objects.filter(level=MonthlySnapshot.Level.ALL, month=month).exists():
        return 0
    groups, total = ledger_breakdown(all_estates(), by="community")
    parents = community_parents()
    overdue = {
        row["estate__community_id"]: row["n"]
        for row in overdue_committees_all(today=today).order_by().values("estate__community_id").annotate(n=Count("pk"))
    }
    produced = outputs_by_community(year=month.year)  # community → output → quantity
    nodes: dict[tuple, list] = {}  # (level, id) → [LedgerGroup, overdue committees, outputs]

    def node(level, node_id):
        return nodes.setdefault((level, node_id), [LedgerGroup(id=node_id, name=""), 0, {}])

    for group in groups:
        street_id, district_id = parents[group.id]
        late = overdue.get(group.id, 0)
        for key in (("community", group.id), ("street", street_id), ("district", district_id), ("all", 0)):
            entry = node(*key)
            entry[0].add(group)
            entry[1] += late
            for output, quantity in produced.get(group.id, {}).items():
                entry[2][output] = entry[2].get(output, Decimal(0)) + quantity
    if not nodes:
        nodes[("all", 0)] = [total, 0, {}]
    taken_at = timezone.now()
    MonthlySnapshot.objects.bulk_create(
        [
            MonthlySnapshot(
                month=month,
                level=level,
                node_id=node_id,
                figures=snapshot_figures(group, committees_overdue=late, outputs=outputs),
                taken_at=taken_at,
            )
            for (level, node_id), (group, late, outputs) in nodes.items()
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(nodes)


def figures_from_snapshot(figures: dict) -> dict:
    """A snapshot's figures with numbers back as numbers."""
    return {
        **figures,
        "old_floor_area": Decimal(figures["old_floor_area"]),
        "modes": {mode: [count, Decimal(area)] for mode, (count, area) in figures["modes"].items()},
        # Snapshots taken before outputs were kept have none (shown as "—", not 0).
        "outputs": {output: Decimal(quantity) for output, quantity in figures["outputs"].items()}
        if "outputs" in figures
        else None,
    }
