"""Reads of the estate ledger, always through the user's scope: lists, one object, rows."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.scoping import Action, get_scoped_object_or_404, scoped, user_scope
from communities.choices import OwnersBody
from communities.models import (
    DANGEROUS_GRADES,
    Building,
    Estate,
    EstateAttachment,
    Household,
    IllegalStructure,
    ImportBatch,
    ManagementMode,
    PropertyRightsUnit,
    RightsHolding,
)
from core.cache import safe_get, safe_set
from core.db import ExactSum, Quantized
from core.models import SavedFilter
from org.models import Community, District, StreetOffice


def estates_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    """The estates the user may act on, with what every list row shows."""
    return scoped(Estate.objects.select_related("community__street"), user, action)


def dangerous_building_exists():
    return Exists(Building.objects.filter(estate=OuterRef("pk"), danger_grade__in=DANGEROUS_GRADES))


def with_row_figures(queryset: QuerySet) -> QuerySet:
    """Per-row figures for a page of the ledger: dangerous buildings and illegal
    structures still standing. Subqueries, so they cost per row shown only."""
    dangerous = (
        Building.objects.filter(estate=OuterRef("pk"), danger_grade__in=DANGEROUS_GRADES)
        .order_by()
        .values("estate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pending = (
        IllegalStructure.objects.filter(estate=OuterRef("pk"), status=IllegalStructure.Status.PENDING)
        .order_by()
        .values("estate")
        .annotate(total=ExactSum("area"))
        .values("total")
    )
    return queryset.annotate(
        dangerous_buildings=Coalesce(Subquery(dangerous), 0),
        illegal_area_pending=Quantized(Subquery(pending), default=0),
    )


def ledger_totals(queryset: QuerySet) -> dict:
    """Count, households and floor area of a filtered ledger, in one query."""
    totals = queryset.order_by().aggregate(
        count=Count("pk"),
        households=Coalesce(Sum("households"), 0),
        floor_area=ExactSum("floor_area", default=0),
        buildings=Coalesce(Sum("building_count"), 0),
        old=Count("pk", filter=Q(year_built__lte=settings.OLD_ESTATE_CUTOFF_YEAR)),
    )
    return totals


def ledger_generation() -> tuple:
    """A value that changes whenever the ledger does: the newest history
    record of estates, buildings and illegal structures (every committed
    change writes one, whoever makes it). One indexed lookup per table."""
    tables = [m.history.model._meta.db_table for m in (Estate, Building, IllegalStructure)]
    sql = "SELECT " + ", ".join(f"(SELECT max(history_id) FROM {table})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


TOTALS_CACHE_SECONDS = 3600
UNCACHED_PARAMS = {"page", "page_size", "sort", "format"}


def cached_ledger_totals(*, user, params, queryset: QuerySet) -> dict:
    """ledger_totals, remembered per scope, filters and ledger generation.

    Paging through a large result reuses the totals instead of counting
    200,000 rows again; any change to the ledger changes the generation, so
    a cached figure is never stale.
    """
    scope = user_scope(user)
    filters = sorted((k, v) for k in params if k not in UNCACHED_PARAMS for v in params.getlist(k) if v != "")
    digest = hashlib.sha1(repr((scope, filters)).encode()).hexdigest()
    key = f"ledger-totals:v2:{digest}:{'-'.join(str(g) for g in ledger_generation())}"
    totals = safe_get(key)
    if totals is None:
        totals = ledger_totals(queryset)
        safe_set(key, totals, TOTALS_CACHE_SECONDS)
    return totals


def estate_for(*, user, estate_id, action: Action = Action.VIEW) -> Estate:
    """One estate the user may act on, with its community and street: 404 outside
    the user's scope, 403 inside it when the role may not (accounts.scoping)."""
    return get_scoped_object_or_404(Estate.objects.select_related("community__street"), user, action, pk=estate_id)


def estate_contents(estate: Estate) -> dict:
    """How many records go with the estate when it is deleted (the confirmation page)."""
    return {
        "buildings": estate.buildings.count(),
        "holdings": estate.holdings.count(),
        "structures": estate.illegal_structures.count(),
        "notes": estate.notes.count(),
        "attachments": estate.attachments.count(),
    }


def building_for(*, user, building_id, action: Action = Action.VIEW) -> Building:
    """One building with its estate, refused as estate_for refuses."""
    return get_scoped_object_or_404(Building.objects.select_related("estate"), user, action, pk=building_id)


def holding_for(*, user, estate_id: int, holding_id, action: Action = Action.VIEW) -> RightsHolding:
    """One holding of the estate (another estate's is not found), refused as estate_for refuses."""
    return get_scoped_object_or_404(RightsHolding.objects.filter(estate_id=estate_id), user, action, pk=holding_id)


def structure_for(*, user, estate_id: int, structure_id, action: Action = Action.VIEW) -> IllegalStructure:
    """One illegal structure of the estate (another estate's is not found), refused as estate_for refuses."""
    return get_scoped_object_or_404(IllegalStructure.objects.filter(estate_id=estate_id), user, action, pk=structure_id)


def attachment_for(*, user, attachment_id, action: Action = Action.VIEW) -> EstateAttachment:
    """One attachment of an estate, refused as estate_for refuses."""
    return get_scoped_object_or_404(EstateAttachment.objects.all(), user, action, pk=attachment_id)


def rights_unit_for(*, user, unit_id, action: Action = Action.VIEW) -> PropertyRightsUnit:
    """One property-rights unit with its successor and street, refused as estate_for refuses."""
    return get_scoped_object_or_404(
        PropertyRightsUnit.objects.select_related("successor", "street"), user, action, pk=unit_id
    )


def recent_imports(*, user, kind: str, limit: int = 10) -> list[ImportBatch]:
    """The user's own latest uploads of one kind (ledger or household), newest first."""
    return list(ImportBatch.objects.filter(uploaded_by=user, kind=kind)[:limit])


def import_batch_for(*, user, batch_id, kind: str) -> ImportBatch | None:
    """One of the user's own uploads of that kind; None for another user's, or none at all."""
    return ImportBatch.objects.filter(pk=batch_id, uploaded_by=user, kind=kind).first()


def lock_estate(*, estate_id: int) -> Estate | None:
    """The estate's row, locked until the caller's transaction ends (SELECT … FOR
    UPDATE): what two clerks must not both pass (a central subsidy, a fund draw) waits here."""
    return Estate.objects.select_for_update().filter(pk=estate_id).first()


def estates_named(term: str, *, limit: int = 15) -> list[Estate]:
    """Estates whose name contains `term`, with community and street: the public
    form's suggestions (names are public facts; nothing else of the ledger is read)."""
    return list(
        Estate.objects.filter(name__contains=term)
        .select_related("community__street")
        .only("name", "community__name", "community__street__name")
        .order_by("name", "id")[:limit]
    )


def estate_places() -> QuerySet:
    """Every estate with what filing a complaint needs of it (name, community,
    street, district): four ids and a name, not the ledger's ~60 columns."""
    return Estate.objects.select_related("community__street__district").only(
        "name", "community__street__district__code"
    )


def coordinates_box() -> dict:
    """The box around the estates whose coordinates the ledger holds: lat_min,
    lat_max, lon_min, lon_max (None each when none has coordinates)."""
    return Estate.objects.filter(latitude__isnull=False, longitude__isnull=False).aggregate(
        lat_min=Min("latitude"), lat_max=Max("latitude"), lon_min=Min("longitude"), lon_max=Max("longitude")
    )


def estate_id_bounds() -> tuple[int, int] | None:
    """(lowest, highest) estate id, or None for an empty ledger: batch ranges for system runs."""
    bounds = Estate.objects.order_by().aggregate(low=Min("id"), high=Max("id"))
    return None if bounds["low"] is None else (bounds["low"], bounds["high"])


def households_of(*, estate_id: int) -> QuerySet:
    """The estate's register of homes (房屋户籍): who may vote, with their area."""
    return Household.objects.filter(estate_id=estate_id)


def illegal_structure_figures(*, estate_id: int) -> dict:
    """Illegal structures of one estate: pending (count), pending_area (m²) and demolished (count)."""
    pending = Q(status=IllegalStructure.Status.PENDING)
    return IllegalStructure.objects.filter(estate_id=estate_id).aggregate(
        pending=Count("pk", filter=pending),
        pending_area=ExactSum("area", filter=pending, default=0),
        demolished=Count("pk", filter=Q(status=IllegalStructure.Status.DEMOLISHED)),
    )


def pending_illegal_area_by_estate(*, estate_ids) -> dict[int, Decimal]:
    """Estate id → m² of illegal structures still pending demolition, for the estates
    given (ids or a values("estate_id") subquery); estates with none are absent."""
    return dict(
        IllegalStructure.objects.filter(status=IllegalStructure.Status.PENDING, estate_id__in=estate_ids)
        .order_by()
        .values("estate_id")
        .annotate(area=ExactSum("area"))
        .values_list("estate_id", "area")
    )


def estate_detail(*, user, estate_id: int) -> Estate:
    estate = get_scoped_object_or_404(
        Estate.objects.select_related("community__street__district", "fund_holder_unit"), user, pk=estate_id
    )
    return estate


def estate_related(estate: Estate) -> dict:
    """What the estate page shows besides the estate's own fields."""
    return {
        "buildings": list(estate.buildings.order_by("number")),
        "holdings": list(
            estate.holdings.select_related("rights_unit__successor", "building").order_by("building__number", "id")
        ),
        "periods": list(estate.management_periods.select_related("recorded_by").order_by("-started_on", "-id")),
        "structures": list(estate.illegal_structures.order_by("status", "id")),
        "notes": list(estate.notes.select_related("author")[:50]),
        "attachments": list(estate.attachments.select_related("uploaded_by")),
    }


def streets_for(*, user) -> QuerySet:
    return scoped(StreetOffice.objects.all(), user).order_by("code")


def all_communities() -> QuerySet:
    """Every community, for lookups the caller scopes itself (an assignment's target is checked by the service)."""
    return Community.objects.all()


def communities_for(*, user) -> QuerySet:
    return scoped(Community.objects.select_related("street"), user).order_by("code")


def all_rights_units() -> QuerySet:
    """Every property-rights unit, for lookups the caller scopes itself."""
    return PropertyRightsUnit.objects.all()


def rights_units_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(PropertyRightsUnit.objects.select_related("successor", "street"), user, action)


def buildings_for(*, user, action: Action = Action.VIEW) -> QuerySet:
    return scoped(Building.objects.select_related("estate__community__street"), user, action)


def deleted_estates(*, user, limit: int = 200) -> list:
    """Estates deleted within the user's scope that are not back yet (回收站)."""
    communities = scoped(Community.objects.all(), user).values("pk")
    return list(
        Estate.history.filter(history_type="-", community_id__in=Subquery(communities))
        .exclude(id__in=Estate.objects.values("pk"))
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )


class _RequestLike:
    """What django-filter needs of a request when filters run outside one."""

    def __init__(self, user):
        self.user = user


def filter_estates(*, user, params, action: Action = Action.VIEW, request=None):
    """The ledger filtered as the list page, API and export filter it."""
    from communities.filtersets import EstateFilterSet, ledger_ordering

    base = estates_for(user=user, action=action)
    filterset = EstateFilterSet(params or None, queryset=base, request=request or _RequestLike(user))
    if not filterset.is_bound:
        return filterset, base.order_by(*ledger_ordering([]))
    if not filterset.is_valid():
        return filterset, base.none()
    return filterset, filterset.qs


def scoped_holdings_of(*, unit, user) -> list:
    """A rights unit's holdings, limited to estates the user may see."""
    estates = estates_for(user=user).values("pk")
    return list(
        RightsHolding.objects.filter(rights_unit=unit, estate__in=Subquery(estates))
        .select_related("estate__community__street", "building")
        .order_by("estate__name", "building__number")
    )


@dataclass
class LedgerRow:
    """One estate as the ledger list shows it: plain values, labels resolved."""

    pk: int
    name: str
    street: str
    community: str
    year_built: int
    is_old: bool
    excluded: bool
    building_count: int
    households: int
    floor_area: Decimal
    management_mode: str
    owners_body: str
    dangerous_buildings: int
    illegal_area_pending: Decimal
    updated_at: datetime


def ledger_rows(estates) -> list[LedgerRow]:
    """Rows for a page of the ledger. Choice labels are translated once per
    page, not once per cell (Django's get_FOO_display re-hashes the choices on
    every call, which dominated rendering time)."""
    modes = {value: str(label) for value, label in ManagementMode.choices}
    bodies = {value: str(label) for value, label in OwnersBody.choices}
    cutoff = settings.OLD_ESTATE_CUTOFF_YEAR
    return [
        LedgerRow(
            pk=e.pk,
            name=e.name,
            street=e.community.street.name,
            community=e.community.name,
            year_built=e.year_built,
            is_old=e.year_built <= cutoff,
            excluded=e.expropriation_planned or e.shantytown,
            building_count=e.building_count,
            households=e.households,
            floor_area=e.floor_area,
            management_mode=modes.get(e.management_mode, e.management_mode),
            owners_body=bodies.get(e.owners_body, e.owners_body),
            dangerous_buildings=e.dangerous_buildings,
            illegal_area_pending=e.illegal_area_pending,
            updated_at=e.updated_at,
        )
        for e in estates
    ]


def saved_filters(*, user, list_name: str) -> QuerySet:
    """The user's own saved filters (常用筛选) of one list, by name."""
    return SavedFilter.objects.filter(owner=user, list_name=list_name)


# --- choices of the filter sets (communities', complaints' and renovation's) ---


def scoped_districts(request):
    """The districts in the user's scope, as a filter's choices (django-filter
    passes the request; None when the filter set is built without one)."""
    if request is None:
        return District.objects.none()
    return scoped(District.objects.all(), request.user).order_by("code")


def scoped_streets(request):
    if request is None:
        return StreetOffice.objects.none()
    return streets_for(user=request.user)


def scoped_communities(request):
    if request is None:
        return Community.objects.none()
    return communities_for(user=request.user)
