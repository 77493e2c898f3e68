"""Subsidies: the advance and balance runs, their approval and the rates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, scoped
from communities.choices import ManagementMode
from propertymgmt import portable_runs
from propertymgmt.models import SubsidyPayment, SubsidyPeriod, SubsidyRate
from propertymgmt.services.periods import _quarter_label, quarter_of

#
# A run writes payments with one INSERT … SELECT per batch of estates, keyed by
# (estate, period, tranche) with ON CONFLICT DO NOTHING: a retry, a second beat
# process or two officials pressing the button at once add nothing. Each batch is
# one transaction, so a failure half-way leaves whole payments (and the next run
# completes the rest), never a partial one. Amounts are computed by PostgreSQL's
# exact numeric arithmetic and rounded half up to the fen:
#   full    = round(area × rate × months / 12, 2)
#   advance = round(full × advance share, 2)                      (70% by default)
#   balance = round((full − advance) × factor(score), 2)          (factor from ScoreFactor)
# "Already paid" is computed per batch in Python from a range scan of the unique index,
# not with NOT EXISTS in the INSERT: with statistics taken before the run the planner
# chose to re-scan every row written so far for each batch (>10 s a batch nationally).

SUBSIDY_BATCH = 20_000


def ensure_periods(*, day: date) -> date:
    """Every district's period containing `day`, created once, in one statement."""
    if connection.vendor != "postgresql":  # the demo's SQLite: same rows, portable statements
        return portable_runs.ensure_periods(day=day)
    start, end = quarter_of(day)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO propertymgmt_subsidyperiod (district_id, starts_on, ends_on, label, advance_share)
               SELECT d.id, %s, %s, %s, 0.700 FROM communities_district d
               ON CONFLICT (district_id, starts_on) DO NOTHING""",
            [start, end, _quarter_label(start)],
        )
    return start


def _id_batches(table: str, batch: int, where: str = "", params=()):
    with connection.cursor() as cursor:
        # table and where are fixed strings of this module, never user input
        cursor.execute(f"SELECT min(id), max(id) FROM {table} {where}", list(params))
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, batch):
        yield start, min(start + batch, high + 1)


MONTHS_SQL = (
    "((date_part('year', p.ends_on) - date_part('year', p.starts_on)) * 12"
    " + date_part('month', p.ends_on) - date_part('month', p.starts_on) + 1)::int"
)

# Per batch of ids, three statements with plans that do not depend on fresh
# statistics: the candidates, those already paid (a range scan of the unique
# index), and an INSERT of the difference only (`= ANY` on the primary key).
# A second run stops after the first two: nothing to insert.

ADVANCE_CANDIDATES_SQL = """
SELECT e.id FROM communities_estate e
JOIN communities_community c ON c.id = e.community_id
JOIN communities_streetoffice s ON s.id = c.street_id
WHERE e.id >= %(low)s AND e.id < %(high)s AND s.district_id = ANY(%(districts)s::bigint[])
  AND e.year_built <= %(cutoff)s AND e.management_mode <> 'none' AND e.floor_area > 0
"""

PAID_SQL = """
SELECT x.estate_id FROM propertymgmt_subsidypayment x
WHERE x.estate_id >= %(low)s AND x.estate_id < %(high)s AND x.tranche = %(tranche)s
  AND x.period_id = ANY(%(periods)s::bigint[])
"""

ADVANCE_SQL = f"""
INSERT INTO propertymgmt_subsidypayment
    (period_id, tranche, estate_id, street_id, management_mode, area, rate, months, share, score, factor,
     amount, status, created_at)
SELECT p.id, 'advance', e.id, c.street_id, e.management_mode, e.floor_area, r.rate, {MONTHS_SQL}, p.advance_share,
       NULL, 1, round(round(e.floor_area * r.rate * {MONTHS_SQL} / 12, 2) * p.advance_share, 2), 'proposed', now()
FROM communities_estate e
JOIN communities_community c ON c.id = e.community_id
JOIN communities_streetoffice s ON s.id = c.street_id
JOIN propertymgmt_subsidyperiod p ON p.district_id = s.district_id AND p.starts_on = %(start)s
JOIN LATERAL (
    SELECT rate FROM propertymgmt_subsidyrate sr
    WHERE sr.management_mode = e.management_mode AND (sr.district_id = s.district_id OR sr.district_id IS NULL)
    ORDER BY sr.district_id IS NULL LIMIT 1
) r ON true
WHERE e.id >= %(low)s AND e.id < %(high)s AND e.id = ANY(%(todo)s::bigint[])
  AND (%(period)s::bigint IS NULL OR p.id = %(period)s::bigint)
  AND e.year_built <= %(cutoff)s AND e.management_mode <> 'none' AND e.floor_area > 0 AND r.rate > 0
ON CONFLICT (estate_id, period_id, tranche) DO NOTHING
"""

BALANCE_CANDIDATES_SQL = """
SELECT a.estate_id FROM propertymgmt_subsidypayment a
WHERE a.estate_id >= %(low)s AND a.estate_id < %(high)s AND a.tranche = 'advance' AND a.status = 'approved'
  AND a.period_id = ANY(%(periods)s::bigint[])
"""

BALANCE_SQL = """
INSERT INTO propertymgmt_subsidypayment
    (period_id, tranche, estate_id, street_id, management_mode, area, rate, months, share, score, factor,
     amount, status, created_at)
SELECT a.period_id, 'balance', a.estate_id, a.street_id, a.management_mode, a.area, a.rate, a.months,
       1 - a.share, sc.score, f.factor,
       round((round(a.area * a.rate * a.months / 12, 2) - a.amount) * f.factor, 2), 'proposed', now()
FROM propertymgmt_subsidypayment a
JOIN propertymgmt_subsidyperiod p ON p.id = a.period_id AND p.starts_on = %(start)s
JOIN LATERAL (
    SELECT round(avg(x.score), 2) AS score FROM propertymgmt_assessment x
    WHERE x.estate_id = a.estate_id AND x.month >= p.starts_on AND x.month <= p.ends_on
) sc ON sc.score IS NOT NULL
JOIN LATERAL (
    SELECT factor FROM propertymgmt_scorefactor sf WHERE sf.min_score <= sc.score ORDER BY sf.min_score DESC LIMIT 1
) f ON true
WHERE a.estate_id >= %(low)s AND a.estate_id < %(high)s AND a.estate_id = ANY(%(todo)s::bigint[])
  AND a.tranche = 'advance' AND a.status = 'approved'
  AND (%(period)s::bigint IS NULL OR a.period_id = %(period)s::bigint)
ON CONFLICT (estate_id, period_id, tranche) DO NOTHING
"""


def _run(*, candidates_sql: str, insert_sql: str, tranche: str, params: dict, batches, on_batch=None) -> int:
    """Each batch in its own transaction: whole payments or none, and a failure
    half-way leaves earlier batches written for the next run to skip."""
    periods = SubsidyPeriod.objects.filter(starts_on=params["start"])
    if params.get("period") is not None:
        periods = periods.filter(pk=params["period"])
    pairs = list(periods.values_list("pk", "district_id"))
    if not pairs:
        return 0
    params = {
        **params,
        "periods": "{" + ",".join(str(pk) for pk, _d in pairs) + "}",
        "districts": "{" + ",".join(str(d) for _pk, d in pairs) + "}",
    }
    created = 0
    for low, high in batches:
        bounds = {**params, "low": low, "high": high, "tranche": tranche}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(candidates_sql, bounds)
            todo = {row[0] for row in cursor.fetchall()}
            if todo:
                cursor.execute(PAID_SQL, bounds)
                todo -= {row[0] for row in cursor.fetchall()}
            if todo:
                # One array constant ('{1,2,…}'), which PostgreSQL hashes, not ARRAY[…] of parameters.
                todo_array = "{" + ",".join(map(str, sorted(todo))) + "}"
                cursor.execute(insert_sql, {**bounds, "todo": todo_array})
                created += max(cursor.rowcount, 0)
            if on_batch is not None:
                on_batch(low, high)
    return created


def run_advance(
    *, period_id: int | None = None, start: date | None = None, batch: int = SUBSIDY_BATCH, on_batch=None
) -> int:
    """Propose the advance (70%) for every eligible estate: of one period, or of every
    district's period starting on `start`. Returns how many payments were added."""
    if connection.vendor != "postgresql":  # the demo's SQLite: same rules, portable code
        return portable_runs.run_advance(period_id=period_id, start=start, batch=batch, on_batch=on_batch)
    if period_id is not None:
        start = SubsidyPeriod.objects.get(pk=period_id).starts_on
    params = {"period": period_id, "start": start, "cutoff": settings.OLD_ESTATE_CUTOFF_YEAR}
    return _run(
        candidates_sql=ADVANCE_CANDIDATES_SQL,
        insert_sql=ADVANCE_SQL,
        tranche="advance",
        params=params,
        batches=_id_batches("communities_estate", batch),
        on_batch=on_batch,
    )


def run_balance(
    *,
    period_id: int | None = None,
    start: date | None = None,
    batch: int = SUBSIDY_BATCH,
    today: date | None = None,
) -> int:
    """Propose the balance (30%) scaled by the period's assessment score, for estates whose
    advance was approved and who were assessed in the period. Only after the period ends.
    Estates not assessed yet stay candidates and are paid by the first run after their
    assessment is recorded."""
    if connection.vendor != "postgresql":  # the demo's SQLite: same rules, portable code
        return portable_runs.run_balance(period_id=period_id, start=start, batch=batch, today=today)
    today = today or timezone.localdate()
    if period_id is not None:
        start = SubsidyPeriod.objects.get(pk=period_id).starts_on
    if today <= quarter_of(start)[1]:
        raise ValidationError(_("期间结束并考核后才能拨付尾款。"))
    return _run(
        candidates_sql=BALANCE_CANDIDATES_SQL,
        insert_sql=BALANCE_SQL,
        tranche="balance",
        params={"period": period_id, "start": start},
        batches=_id_batches("communities_estate", batch),
    )


@transaction.atomic
def approve_payments(*, user, period_id: int, tranche: str, street_id: int | None = None) -> int:
    """A district official approves the proposed payments of a tranche (all of them, or one street's)."""
    if not can(user, Action.APPROVE, SubsidyPayment):
        raise ValidationError(_("只有区级管理人员可以审批补贴发放。"))
    queryset = scoped(SubsidyPayment.objects, user, Action.APPROVE).filter(
        period_id=period_id, tranche=tranche, status=SubsidyPayment.Status.PROPOSED
    )
    if street_id:
        queryset = queryset.filter(street_id=street_id)
    return queryset.update(status=SubsidyPayment.Status.APPROVED, approved_at=timezone.now(), approved_by=user)


@transaction.atomic
def set_subsidy_rate(*, user, management_mode: str, rate: Decimal):
    """District officials set their district's rate for a management mode."""
    if not can(user, Action.CHANGE, SubsidyRate) or not user.district_id:
        raise ValidationError(_("补贴标准由区级管理人员设置。"))
    if management_mode not in ManagementMode.values or management_mode == ManagementMode.NONE:
        raise ValidationError({"management_mode": _("请选择管理模式。")})
    row, _created = SubsidyRate.objects.get_or_create(
        district_id=user.district_id, management_mode=management_mode, defaults={"rate": rate}
    )
    row.rate = rate
    row._history_user = user
    row.full_clean()
    row.save()
    return row


def subsidy_due(*, today: date | None = None) -> dict:
    """What the daily beat task does, for every district at once: the current quarter's
    advance and the previous quarter's balance. Safe to run any number of times."""
    today = today or timezone.localdate()
    start = ensure_periods(day=today)
    previous = quarter_of(start - timedelta(days=1))[0]
    return {"advance": run_advance(start=start), "balance": run_balance(start=previous, today=today)}
