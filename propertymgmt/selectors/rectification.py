"""Reads of rectification before exit (限期整改) and of the streets' opinions on companies:
the scoped list with its status filter, one order, the state each exit-list row is in,
and whether an order out is allowed."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.scoping import Action, get_scoped_object_or_404, scoped
from propertymgmt.models import CompanyOpinion, RectificationOrder, RectificationStatus

from .pages import EXIT_INCIDENTS

# How far back an order counts as the ground for an order out (issued within the last twelve months).
RECTIFICATION_WINDOW_MONTHS = 12


def window_start(today: date) -> date:
    """The same day twelve months earlier (28 February when that day does not exist)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def status_q(status: str, today: date) -> Q | None:
    """The condition of one derived status (RectificationStatus), for filters."""
    if status == RectificationStatus.OPEN:
        return Q(result="", deadline__gte=today)
    if status == RectificationStatus.OVERDUE:
        return Q(result="", deadline__lt=today)
    if status in (RectificationStatus.PASSED, RectificationStatus.FAILED):
        return Q(result=status)
    return None


def rectifications_for(*, user, status: str = "", today: date | None = None, action: Action = Action.VIEW) -> QuerySet:
    """The orders the user may see, newest first, of one derived status when given."""
    today = today or timezone.localdate()
    queryset = scoped(RectificationOrder.objects, user, action).select_related("company", "street")
    condition = status_q(status, today)
    if condition is not None:
        queryset = queryset.filter(condition)
    return queryset.order_by("-issued_on", "-id")


def rectification_for(*, user, order_id, action: Action = Action.VIEW) -> RectificationOrder:
    """One order with its company and street: 404 outside the user's scope, 403 inside it without the right."""
    queryset = RectificationOrder.objects.select_related("company", "street", "issued_by", "checked_by", "checker_user")
    return get_scoped_object_or_404(queryset, user, action, pk=order_id)


def latest_rectifications(*, user, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], RectificationOrder]:
    """The latest order of each (company, street) pair, in one query. An open order is
    always the latest: no second order is issued while one is open."""
    if not pairs:
        return {}
    companies = {company for company, _street in pairs}
    streets = {street for _company, street in pairs}
    latest = {}
    queryset = scoped(RectificationOrder.objects, user).filter(company_id__in=companies, street_id__in=streets)
    for order in queryset.order_by("company_id", "street_id", "-issued_on", "-id"):
        latest.setdefault((order.company_id, order.street_id), order)
    return {pair: order for pair, order in latest.items() if pair in pairs}


def exit_ground(row: dict, order: RectificationOrder | None, today: date) -> dict | None:
    """What allows ordering out an exit-list row's company, or None.

    The safety ground (five or more security incidents in twelve months) stays
    immediate. Otherwise the street's latest rectification order must have failed
    its check, or be overdue and unchecked, and have been issued in the last twelve
    months: a later order that passed means the problems were fixed."""
    if row["incidents"] >= EXIT_INCIDENTS:
        return {"ground": "safety", "incidents": row["incidents"]}
    if order is None or order.issued_on < window_start(today):
        return None
    status = order.status_on(today)
    if status not in (RectificationStatus.FAILED, RectificationStatus.OVERDUE):
        return None
    return {
        "ground": "rectification",
        "rectification": {"id": order.pk, "deadline": order.deadline.isoformat(), "result": status},
    }


def exit_list_with_rectification(*, user, rows: list[dict], today: date | None = None) -> list[dict]:
    """The exit list's rows, each with its latest order (`rectification`), whether an
    order is open, and the ground an order out would rest on (`exit_ground`, or None)."""
    today = today or timezone.localdate()
    latest = latest_rectifications(user=user, pairs={(row["company_id"], row["street_id"]) for row in rows})
    for row in rows:
        order = latest.get((row["company_id"], row["street_id"]))
        row["rectification"] = order
        row["rectification_status"] = order.status_on(today) if order else ""
        row["rectification_label"] = RectificationStatus(row["rectification_status"]).label if order else ""
        row["rectification_open"] = order is not None and order.is_open
        row["exit_ground"] = exit_ground(row, order, today)
    return rows


def opinions_of(*, user, company) -> QuerySet:
    """The streets' opinions on a company the user already sees (they are as visible as the company)."""
    return scoped(CompanyOpinion.objects, user).filter(company=company).select_related("street", "given_by")


def rectifications_of(*, user, company) -> QuerySet:
    """A company's rectification orders in the user's scope, newest first."""
    return scoped(RectificationOrder.objects, user).filter(company=company).select_related("street")
