"""Summaries of the ledger by street or community, and the figures other apps read
(the dashboard, its snapshots, the report workbook)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from accounts.scoping import Action, can
from communities.models import (
    Building,
    Estate,
    IllegalStructure,
    ManagementMode,
)
from core.db import ExactSum
from org.models import Community, District, StreetOffice

# --- summaries for the dashboard and the report workbook -----------------------------

# The level below each scope level: a district official's figures break down
# by street, a street's by community. Everyone above a district (the province,
# the nation) sees districts.
CHILD_LEVEL = {"all": "district", "district": "street", "street": "community", "community": "community"}
GROUP_FIELDS = {
    "district": (
        "community__street__district_id",
        "community__street__district__name",
        "community__street__district__code",
    ),
    "street": ("community__street_id", "community__street__name", "community__street__code"),
    "community": ("community_id", "community__name", "community__code"),
}


SUMMED = ("estates", "buildings", "households", "floor_area", "old_estates", "old_households", "old_floor_area")


@dataclass
class LedgerGroup:
    """The ledger figures of one street (or district, community): all estates and
    the old ones, with the old estates' coverage by management mode."""

    id: int | None
    name: str
    district: str = ""
    estates: int = 0
    buildings: int = 0
    households: int = 0
    floor_area: Decimal = Decimal(0)
    old_estates: int = 0
    old_households: int = 0
    old_floor_area: Decimal = Decimal(0)
    # mode → [old estates, their floor area]
    modes: dict = None

    def __post_init__(self):
        if self.modes is None:
            self.modes = {mode: [0, Decimal(0)] for mode in MODES}

    def add(self, other: "LedgerGroup") -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mode, (count, area) in other.modes.items():
            self.modes[mode][0] += count
            self.modes[mode][1] += area


MODES = tuple(ManagementMode.values)  # the keys of LedgerGroup.modes, in ledger order

GROUP_MODELS = {
    "district": (District, "name"),
    "street": (StreetOffice, "district__name"),
    "community": (Community, "street__district__name"),
}


def ledger_breakdown(queryset: QuerySet, *, by: str) -> tuple[list[LedgerGroup], LedgerGroup]:
    """The ledger of `queryset` grouped by district, street or community (in
    code order), and the total. Two queries: the estates grouped by the node's
    id and management mode (grouping on ids only: at national scale, grouping
    on names and codes too doubles the time), then the nodes' names."""
    key = GROUP_FIELDS[by][0]
    old = Q(year_built__lte=settings.OLD_ESTATE_CUTOFF_YEAR)
    rows = list(
        queryset.order_by()
        .values_list(key, "management_mode")
        .annotate(
            s_estates=Count("pk"),
            s_buildings=Coalesce(Sum("building_count"), 0),
            s_households=Coalesce(Sum("households"), 0),
            s_floor_area=ExactSum("floor_area", default=0),
            s_old_estates=Count("pk", filter=old),
            s_old_households=Coalesce(Sum("households", filter=old), 0),
            s_old_floor_area=ExactSum("floor_area", filter=old, default=0),
        )
    )
    model, district = GROUP_MODELS[by]
    fields = dict.fromkeys(("pk", "name", "code", district))  # a district is its own district
    ids = {row[0] for row in rows}
    nodes = {node["pk"]: node for node in model.objects.filter(pk__in=ids).values(*fields)} if ids else {}
    groups: dict = {}
    total = LedgerGroup(id=None, name=gettext("合计"))
    # Added up field by field: the country's 20,000 (street, mode) rows go into
    # 4,000 groups and the total without an object per row.
    for node_id, mode, estates, buildings, households, area, old_estates, old_households, old_area in sorted(
        rows, key=lambda row: (nodes[row[0]]["code"], row[0])
    ):
        group = groups.get(node_id)
        if group is None:
            node = nodes[node_id]
            group = groups[node_id] = LedgerGroup(id=node_id, name=node["name"], district=node[district])
        for target in (group, total):
            target.estates += estates
            target.buildings += buildings
            target.households += households
            target.floor_area += area
            target.old_estates += old_estates
            target.old_households += old_households
            target.old_floor_area += old_area
            coverage = target.modes[mode]
            coverage[0] += old_estates
            coverage[1] += old_area
    return list(groups.values()), total


# --- figures other apps read (the dashboard, its snapshots, the report workbook) -------------

UNMANAGED_MODE = ManagementMode.NONE


def management_modes() -> list[tuple[str, str]]:
    """(mode, label) of every management mode, in ledger order: the keys of LedgerGroup.modes."""
    return list(ManagementMode.choices)


def may_export_ledger(*, user) -> bool:
    """Whether the user's role may export the ledger (and reports built on it) at all."""
    return can(user, Action.EXPORT, Estate)


def generation_columns() -> list[tuple[str, str]]:
    """(table, column) pairs whose max() changes whenever the ledger does: the
    history of estates, buildings and illegal structures (ledger_generation
    reads the same)."""
    return [(model.history.model._meta.db_table, "history_id") for model in (Estate, Building, IllegalStructure)]


def all_estates() -> QuerySet:
    """Every estate, whoever looks: for system tasks such as the month-end
    snapshots, never for a user's page (those start from estates_for)."""
    return Estate.objects.all()


def community_parents() -> dict[int, tuple[int, int]]:
    """Every community's street and district: community id → (street id, district id). One query."""
    return {
        row["pk"]: (row["street_id"], row["street__district_id"])
        for row in Community.objects.values("pk", "street_id", "street__district_id")
    }
