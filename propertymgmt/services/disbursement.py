"""Disbursement (拨付): batches built by the beat task, released by a district
official, settled line by line; a returned line reissued once after its payee record
is corrected. Exactly once rests on the database's keys (models/disbursement.py):
the builder also locks the district's period row, so two builders wait for each
other, and whatever slips past a lock meets a unique constraint and is skipped."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404
from org.models import District
from propertymgmt.models import (
    BatchLine,
    DisbursementBatch,
    DisbursementBuild,
    Notice,
    Payee,
    PayeeBody,
    RewardAward,
    SubsidyPayment,
    SubsidyPeriod,
)
from propertymgmt.selectors.payees import PAYING_COMMITTEE_STAGES, receivers_of_estates
from propertymgmt.services.periods import ensure_period, quarter_of

LINE_CHUNK = 2000
ANALYZE_AFTER = 5000  # lines added by one run of build_batches


def _open_batch(period: SubsidyPeriod) -> DisbursementBatch:
    """The period's open (draft) batch, made once; the caller holds the period's lock."""
    batch = DisbursementBatch.objects.filter(period=period, status=DisbursementBatch.Status.DRAFT).first()
    if batch is not None:
        return batch
    last = DisbursementBatch.objects.filter(period=period).order_by("-sequence").values_list("sequence", flat=True)
    try:
        with transaction.atomic():
            return DisbursementBatch.objects.create(
                district_id=period.district_id, period=period, sequence=(last.first() or 0) + 1
            )
    except IntegrityError:  # another builder made it between our look and our insert
        return DisbursementBatch.objects.get(period=period, status=DisbursementBatch.Status.DRAFT)


def _line(batch, payment, payee, *, reissue_of=None, award=None) -> BatchLine:
    """A line paying `payment` (a subsidy) or `award` (以奖代补) to `payee`."""
    paid_for = payment or award
    return BatchLine(
        batch=batch,
        payment=payment,
        award=award,
        street_id=paid_for.street_id,
        payee=payee,
        account_name=payee.account_name,
        bank=f"{payee.bank}{payee.branch}",
        account_number=payee.account_number,
        amount=paid_for.amount,
        reissue_of=reissue_of,
    )


# The PostgreSQL build: the receiver rule of selectors.receivers_of_estates in one
# statement (the body of the estate's active contract; for owners' self-management the
# first filed, serving committee; that body's payee record), so the country's 220,000
# payments go in without an object each. It starts from the payments not yet in a line
# (NOT EXISTS on the one-live-line key's index) and works out receivers for their
# estates alone: a rerun, where only the held payments are left, looks at those estates
# and nothing else. Should another builder have got there first, the key skips the row.
# tests/propertymgmt/test_disbursement.py runs both builds on the same data.
BUILD_SQL = """
WITH district_estate AS (
    SELECT e.id, cm.street_id
    FROM communities_estate e
    JOIN communities_community cm ON cm.id = e.community_id
    JOIN communities_streetoffice s ON s.id = cm.street_id
    WHERE s.district_id = %(district)s
), candidate AS (
    SELECT p.id AS payment_id, p.street_id, p.amount, p.estate_id, p.period_id, p.tranche
    FROM propertymgmt_subsidypayment p
    JOIN district_estate de ON de.id = p.estate_id
    JOIN communities_streetoffice s ON s.id = p.street_id
    WHERE s.district_id = %(district)s AND p.status = 'approved' AND p.amount > 0
      AND NOT EXISTS (SELECT 1 FROM propertymgmt_batchline l WHERE l.payment_id = p.id)
), estate AS (
    SELECT de.id, de.street_id FROM district_estate de WHERE de.id IN (SELECT estate_id FROM candidate)
), contract AS (
    SELECT DISTINCT ON (k.estate_id) k.estate_id, k.body, k.company_id, k.rights_unit_id
    FROM propertymgmt_contract k JOIN estate ON estate.id = k.estate_id
    WHERE k.ended_on IS NULL
    ORDER BY k.estate_id, k.starts_on DESC, k.id DESC
), committee AS (
    SELECT DISTINCT ON (k.estate_id) k.estate_id, k.id
    FROM propertymgmt_committee k JOIN estate ON estate.id = k.estate_id
    WHERE k.stage IN %(stages)s
    ORDER BY k.estate_id, k.id
), payable AS (
    SELECT p.payment_id, p.street_id, p.amount, p.estate_id, p.period_id, p.tranche,
           COALESCE(y1.id, y2.id, y3.id, y4.id) AS payee_id
    FROM candidate p
    JOIN estate e ON e.id = p.estate_id
    LEFT JOIN contract c ON c.estate_id = p.estate_id
    LEFT JOIN committee k ON k.estate_id = p.estate_id AND c.body = 'owners'
    LEFT JOIN propertymgmt_payee y1 ON c.body = 'company' AND y1.company_id = c.company_id
    LEFT JOIN propertymgmt_payee y2 ON c.body = 'rights_unit' AND y2.rights_unit_id = c.rights_unit_id
    LEFT JOIN propertymgmt_payee y3 ON c.body = 'street_centre' AND y3.body = 'street_centre'
                                    AND y3.street_id = e.street_id
    LEFT JOIN propertymgmt_payee y4 ON y4.committee_id = k.id
), added AS (
    INSERT INTO propertymgmt_batchline
        (batch_id, payment_id, street_id, payee_id, account_name, bank, account_number, amount, status, reason)
    SELECT %(batch)s, a.payment_id, a.street_id, a.payee_id, y.account_name, y.bank || y.branch, y.account_number,
           a.amount, 'pending', ''
    FROM payable a JOIN propertymgmt_payee y ON y.id = a.payee_id
    ORDER BY a.street_id, a.estate_id, a.period_id, a.tranche
    ON CONFLICT DO NOTHING
    RETURNING 1
)
-- What has no payee record is held: counted per street from the same rows.
SELECT street_id, count(*) FROM payable WHERE payee_id IS NULL GROUP BY street_id
"""


def _unbatched(district_id: int):
    return SubsidyPayment.objects.filter(
        street__district_id=district_id, status=SubsidyPayment.Status.APPROVED, amount__gt=0
    ).exclude(Exists(BatchLine.objects.filter(payment=OuterRef("pk"))))


def _unbatched_awards(district_id: int):
    return RewardAward.objects.filter(
        street__district_id=district_id, status=RewardAward.Status.APPROVED, amount__gt=0
    ).exclude(Exists(BatchLine.objects.filter(award=OuterRef("pk"))))


def _add_awards(batch, district_id: int) -> Counter:
    """Approved 以奖代补 awards not yet in a line, each to its street service centre's
    payee record (a community's award too: the street passes it on). Returns the
    awards held (no payee record) per street."""
    awards = list(_unbatched_awards(district_id).order_by("street_id", "community_id"))
    if not awards:
        return Counter()
    centres = {
        payee.street_id: payee
        for payee in Payee.objects.filter(
            body=PayeeBody.STREET_CENTRE, street_id__in={award.street_id for award in awards}
        )
    }
    lines = [_line(batch, None, centres[a.street_id], award=a) for a in awards if a.street_id in centres]
    BatchLine.objects.bulk_create(lines, ignore_conflicts=True)
    return Counter(award.street_id for award in awards if award.street_id not in centres)


def _add_portable(batch, district_id: int) -> Counter:
    """The build in Python (SQLite, the embedded demo): receivers_of_estates per payment.
    Returns the payments held (no payee record) per street."""
    new = list(_unbatched(district_id).order_by("street_id", "estate_id", "period_id", "tranche"))
    receivers = receivers_of_estates({p.estate_id for p in new})
    lines = [_line(batch, p, receivers[p.estate_id].payee) for p in new if receivers[p.estate_id].payee]
    BatchLine.objects.bulk_create(lines, batch_size=LINE_CHUNK, ignore_conflicts=True)
    return Counter(p.street_id for p in new if receivers[p.estate_id].payee is None)


def _add_in_sql(batch, district_id: int) -> Counter:
    with connection.cursor() as cursor:
        cursor.execute(
            BUILD_SQL,
            {"stages": tuple(str(s) for s in PAYING_COMMITTEE_STAGES), "district": district_id, "batch": batch.pk},
        )
        return Counter(dict(cursor.fetchall()))


@transaction.atomic
def build_batch(*, district_id: int, today: date | None = None, portable: bool | None = None) -> dict:
    """Gather the district's approved payments not yet in a batch (and its returned
    lines whose payee record was corrected since) into the open batch of today's
    period. Payments without a payee record stay out, and each street with such
    payments gets one notice per period. Running it again writes nothing.
    `portable` picks the Python build (default: on any database but PostgreSQL)."""
    today = today or timezone.localdate()
    portable = connection.vendor != "postgresql" if portable is None else portable
    period = ensure_period(district_id=district_id, day=today)
    SubsidyPeriod.objects.select_for_update().get(pk=period.pk)  # one builder per district at a time
    returned = list(
        BatchLine.objects.filter(
            street__district_id=district_id,
            status=BatchLine.Status.RETURNED,
            reissue__isnull=True,
            reissue_of__isnull=True,  # a line is reissued once; a second return is settled by hand
            payee__updated_at__gt=F("settled_at"),
        ).select_related("payment", "award", "payee")
    )
    if not returned and not _unbatched(district_id).exists() and not _unbatched_awards(district_id).exists():
        return {"batch": None, "lines": 0, "held": 0}
    batch = _open_batch(period)
    before = BatchLine.objects.filter(batch=batch).count()
    held = (_add_portable if portable else _add_in_sql)(batch, district_id)
    held += _add_awards(batch, district_id)
    reissues = [_line(batch, old.payment, old.payee, reissue_of=old, award=old.award) for old in returned]
    BatchLine.objects.bulk_create(reissues, ignore_conflicts=True)
    added = BatchLine.objects.filter(batch=batch).count() - before
    if not added and not BatchLine.objects.filter(batch=batch).exists():
        batch.delete()  # only held payments: no empty batch to review
        batch = None
    _notify_held(period, held)  # each street with held payments, told once a period
    return {"batch": batch, "lines": added, "held": sum(held.values())}


def _notify_held(period: SubsidyPeriod, held: Counter) -> None:
    """One notice per street and period (the key), written in one statement."""
    keys = {street_id: f"payee-missing:{period.pk}:{street_id}" for street_id in held}
    known = set(Notice.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    notices = []
    for street_id, key in keys.items():
        if key in known:
            continue
        text = _(
            "【待补充收款信息】%(period)s有%(n)s笔已审批的物业补贴或以奖代补奖励因收款信息不全暂缓拨付，请补充。"
        ) % {
            "period": period.label,
            "n": held[street_id],
        }
        notices.append(Notice(street_id=street_id, text=text, key=key))
    Notice.objects.bulk_create(notices, ignore_conflicts=True)


# What decides a district's lines, digested per district in one statement: the
# approved payments and awards, the active contracts, the committees, the payee
# records and which street each estate is in (every row hashed whole, so any change
# to one of them changes the digest). The lines themselves are left out: the build
# writes them, and a returned line is reissued only after its payee record changes.
FINGERPRINT_SQL = """
WITH estate AS (
    SELECT e.id, s.district_id, hashtext(e.id || ':' || cm.id || ':' || cm.street_id)::bigint AS h
    FROM communities_estate e
    JOIN communities_community cm ON cm.id = e.community_id
    JOIN communities_streetoffice s ON s.id = cm.street_id
)
SELECT s.district_id, 'payment', count(*), sum(hashtext(p::text)::bigint)
FROM propertymgmt_subsidypayment p JOIN communities_streetoffice s ON s.id = p.street_id
WHERE p.status = 'approved' GROUP BY 1
UNION ALL
SELECT s.district_id, 'award', count(*), sum(hashtext(a::text)::bigint)
FROM propertymgmt_rewardaward a JOIN communities_streetoffice s ON s.id = a.street_id
WHERE a.status = 'approved' GROUP BY 1
UNION ALL
SELECT estate.district_id, 'contract', count(*), sum(hashtext(k::text)::bigint)
FROM propertymgmt_contract k JOIN estate ON estate.id = k.estate_id
WHERE k.ended_on IS NULL GROUP BY 1
UNION ALL
SELECT estate.district_id, 'committee', count(*), sum(hashtext(k::text)::bigint)
FROM propertymgmt_committee k JOIN estate ON estate.id = k.estate_id GROUP BY 1
UNION ALL
SELECT y.district_id, 'payee', count(*), sum(hashtext(y::text)::bigint) FROM propertymgmt_payee y GROUP BY 1
UNION ALL
SELECT district_id, 'estate', count(*), sum(h) FROM estate GROUP BY 1
"""


def build_fingerprints(today: date) -> dict[int, str]:
    """Each district's digest of what decides its build today (PostgreSQL only)."""
    parts = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL)
        for district_id, part, count, digest in cursor.fetchall():
            parts[district_id].append(f"{part}:{count}:{digest}")
    period = quarter_of(today)[0].isoformat()
    return {
        district_id: hashlib.sha256("|".join([period, *sorted(rows)]).encode()).hexdigest()
        for district_id, rows in parts.items()
    }


def build_batches(*, today: date | None = None) -> dict:
    """What the beat task does: one build per district, each in its own transaction.

    On PostgreSQL a district is skipped when nothing that decides its lines changed
    since its last build (DisbursementBuild): the digests of every district come from
    one statement, so a rerun that has nothing to do costs that statement and not one
    build per district. The digest is taken before the builds; a change committed
    while they run is either built now or seen as a change next time."""
    today = today or timezone.localdate()
    totals = Counter()
    fingerprints = build_fingerprints(today) if connection.vendor == "postgresql" else {}
    last = dict(DisbursementBuild.objects.values_list("district_id", "fingerprint")) if fingerprints else {}
    built = []
    for district_id in District.objects.order_by("pk").values_list("pk", flat=True):
        fingerprint = fingerprints.get(district_id)
        if fingerprint is not None and last.get(district_id) == fingerprint:
            totals["skipped"] += 1
            continue
        result = build_batch(district_id=district_id, today=today)
        if fingerprint is not None:
            built.append(DisbursementBuild(district_id=district_id, fingerprint=fingerprint))
        totals["lines"] += result["lines"]
        totals["held"] += result["held"]
        totals["batches"] += result["batch"] is not None and result["lines"] > 0
    # The digests in one statement at the end: should the run stop half-way, the
    # districts it did not record are simply built again next time.
    DisbursementBuild.objects.bulk_create(
        built, update_conflicts=True, unique_fields=["district"], update_fields=["fingerprint", "built_at"]
    )
    if totals["lines"] > ANALYZE_AFTER and connection.vendor == "postgresql":
        # Until autovacuum comes by, the planner's statistics would still say the lines
        # table is (nearly) empty, and the next run's NOT EXISTS would be planned for that.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE propertymgmt_batchline")
    return dict(totals)


def _batch_for_change(user, batch_id) -> DisbursementBatch:
    batch = get_scoped_object_or_404(DisbursementBatch.objects.select_for_update(), user, Action.VIEW, pk=batch_id)
    if not can(user, Action.APPROVE, DisbursementBatch):
        raise PermissionDenied(_("拨付批次由区级管理人员发布和结算。"))
    return batch


@transaction.atomic
def release_batch(*, user, batch_id: int) -> DisbursementBatch:
    """The district official's release: the batch and its lines are final from here."""
    batch = _batch_for_change(user, batch_id)
    if batch.status != DisbursementBatch.Status.DRAFT:
        raise ValidationError(_("该批次已发布，不能再次发布或修改。"))
    if not batch.lines.exists():
        raise ValidationError(_("该批次没有拨付明细。"))
    batch.status, batch.released_at, batch.released_by = DisbursementBatch.Status.RELEASED, timezone.now(), user
    batch.save(update_fields=["status", "released_at", "released_by"])
    return batch


@transaction.atomic
def settle_line(*, user, line_id: int, paid: bool, reason: str = "") -> BatchLine:
    """Record one line as paid, or as returned with the bank's or bureau's reason."""
    line = get_scoped_object_or_404(
        BatchLine.objects.select_for_update().select_related("batch"), user, Action.VIEW, pk=line_id
    )
    _batch_for_change(user, line.batch_id)
    if line.batch.status != DisbursementBatch.Status.RELEASED:
        raise ValidationError(_("批次发布后才能登记支付结果。"))
    if line.status != BatchLine.Status.PENDING:
        raise ValidationError(_("该笔已登记为“%(s)s”，不能重复登记。") % {"s": line.get_status_display()})
    reason = (reason or "").strip()
    if not paid and not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    line.status = BatchLine.Status.PAID if paid else BatchLine.Status.RETURNED
    line.reason, line.settled_at, line.settled_by = reason, timezone.now(), user
    try:
        with transaction.atomic():
            line.save(update_fields=["status", "reason", "settled_at", "settled_by"])
    except IntegrityError as error:  # line_paid_once: the payment was paid on another line
        raise ValidationError(_("该笔补贴已经支付过，不能重复支付。")) from error
    return line
