"""The import after parsing: match the rows against the ledger within the
user's scope (the preview), then write every row or none (the commit)."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.scoping import Action, scoped
from communities.ledger_excel.cells import RowError
from communities.ledger_excel.columns import FIELD_DEFAULTS, IMPORT_COLUMNS, column_order
from communities.ledger_excel.parsing import ParsedLedger
from communities.models import Estate, ManagementPeriod
from core.pinyin import initials
from org.models import Community, StreetOffice


@dataclass
class ImportResult:
    total_rows: int = 0
    to_create: list = field(default_factory=list)
    to_update: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    error_rows: int = 0
    file_error: str = ""

    @property
    def ok(self):
        return not self.errors and not self.file_error

    def summary(self):
        return {
            "total_rows": self.total_rows,
            "create": len(self.to_create),
            "update": len(self.to_update),
            "unchanged": self.unchanged,
            "error_rows": self.error_rows,
            "errors": len(self.errors),
            "file_error": self.file_error,
        }


def resolve_ledger(parsed: ParsedLedger, *, user) -> ImportResult:
    """Match parsed rows against the ledger within the user's scope: each row
    becomes a new estate, an update of the estate with the same community and
    name, an unchanged row, or row errors. Writes nothing; looks up only the
    names the file mentions, in a few queries."""
    result = ImportResult(total_rows=parsed.total_rows, file_error=parsed.file_error)
    if parsed.file_error:
        return result
    errors = {}
    for error in parsed.errors:
        errors.setdefault(error.row, []).append(error)
    communities, streets_in_scope, existing = _lookups(parsed, user=user)
    seen_in_file = {}
    fields_in_file = set(parsed.fields)
    for number, street, community_name, values in parsed.rows:
        row_errors = errors.get(number, [])
        community = None
        if street and community_name:
            community = communities.get((street, community_name))
            if community is None:
                row_errors.append(_unknown_community(number, street, community_name, streets_in_scope))
        if community is not None and values.get("name"):
            key = (community.pk, values["name"])
            if key in seen_in_file:
                row_errors.append(
                    RowError(
                        number,
                        "小区名称",
                        _("与第%(r)s行重复（同一社区内小区名称不能重复）") % {"r": seen_in_file[key]},
                    )
                )
            else:
                seen_in_file[key] = number
        if community is not None and values.get("name"):
            estate = existing.get((community.pk, values["name"]))
            row_errors.extend(_fund_cells(number, estate, values))
        if row_errors:
            result.errors.extend(sorted(row_errors, key=column_order))
            result.error_rows += 1
            continue
        values = {k: v for k, v in values.items() if k not in FUND_LEDGER_FIELDS}
        estate = existing.get((community.pk, values["name"]))
        if estate is None:
            data = {**FIELD_DEFAULTS, **{k: v for k, v in values.items() if v is not None}}
            result.to_create.append((number, community, data))
        else:
            changed = {k: v for k, v in values.items() if k in fields_in_file and _differs(estate, k, v)}
            if changed:
                result.to_update.append((number, estate, changed))
            else:
                result.unchanged += 1
    return result


def _lookups(parsed: ParsedLedger, *, user) -> tuple[dict, set, dict]:
    """What the file's names are in the user's scope, in three queries: its
    communities by (street, name), its streets, and the estates the user may
    change by (community id, name)."""
    street_names = {street for _n, street, _c, _v in parsed.rows if street}
    community_names = {community for _n, _s, community, _v in parsed.rows if community}
    communities = {
        (c.street.name, c.name): c
        for c in scoped(Community.objects.select_related("street"), user)
        .filter(name__in=community_names, street__name__in=street_names)
        .order_by()
    }
    streets_in_scope = set(
        scoped(StreetOffice.objects.all(), user).filter(name__in=street_names).values_list("name", flat=True)
    )
    names = {values.get("name") for _n, _s, _c, values in parsed.rows if values.get("name")}
    existing = {
        (e.community_id, e.name): e
        for e in scoped(Estate.objects.all(), user, Action.CHANGE)
        .filter(community__in=list(communities.values()), name__in=names)
        .order_by()
    }
    return communities, streets_in_scope, existing


def _unknown_community(number: int, street: str, community_name: str, streets_in_scope: set) -> RowError:
    """Why a row's street and community name no community of the user's: the
    street is not theirs (or misspelt), or the community is not in it."""
    if street not in streets_in_scope:
        return RowError(number, "街道", _("“%(s)s”不在您的管辖范围内，或名称有误") % {"s": street})
    return RowError(number, "社区", _("“%(c)s”不是“%(s)s”下的社区") % {"c": community_name, "s": street})


# Kept by the maintenance-fund ledger (its accounts and their transactions): a file may
# repeat what the ledger says (an exported file imports back), never change it.
FUND_LEDGER_FIELDS = ("fund_balance", "fund_holder")
FUND_HEADERS = {column.field: column.header for column in IMPORT_COLUMNS if column.field in FUND_LEDGER_FIELDS}


def _fund_cells(number: int, estate, values: dict) -> list[RowError]:
    """A fund cell that says something the fund ledger does not is refused, naming the
    row and the column: the balance is the sum of the account's transactions, entered on
    the fund pages (期初结转 for a figure from a spreadsheet)."""
    errors = []
    for name in FUND_LEDGER_FIELDS:
        value = values.get(name)
        if value is None:
            continue  # an empty cell changes nothing
        current = getattr(estate, name) if estate is not None else FIELD_DEFAULTS[name]
        if value != current:
            errors.append(
                RowError(
                    number,
                    FUND_HEADERS[name],
                    _(
                        "维修资金余额和持有方由维修资金台账记账，不能通过小区台账导入修改；"
                        "请在“物业管理—维修资金账户”中建账并登记期初结转或资金转移，或清空此列"
                    ),
                )
            )
    return errors


def _differs(estate, name, value):
    current = getattr(estate, name)
    if value is None:
        value = FIELD_DEFAULTS.get(name)
    return current != value


def commit_ledger(parsed: ParsedLedger, *, user) -> ImportResult:
    """Resolve again and write every row, or none.

    The rows are matched against the ledger again at commit time, because it
    may have changed since the preview; any error now means nothing is written.
    """
    result = resolve_ledger(parsed, user=user)
    if not result.ok:
        return result
    now = timezone.now()
    today = timezone.localdate()
    reason = _("Excel导入")
    try:
        with transaction.atomic():
            _create_estates(result.to_create, user=user, now=now, today=today, reason=reason)
            _update_estates(result.to_update, user=user, now=now, today=today, reason=reason)
    except IntegrityError as exc:
        result.file_error = _(
            "写入时数据库拒绝了数据（可能有人同时新增了同名小区），未导入任何行，请重新上传预览：%(e)s"
        ) % {"e": str(exc).splitlines()[0][:200]}
        result.to_create, result.to_update = [], []
    return result


def _create_estates(to_create: list, *, user, now, today, reason: str) -> None:
    """The new estates, with their history and their first management period."""
    # bulk_create skips Estate.save(): the pinyin initials are set here.
    new_estates = [
        Estate(community=community, name_initials=initials(data["name"]), **data)
        for _number, community, data in to_create
    ]
    created = bulk_create_with_history(
        new_estates,
        Estate,
        batch_size=2000,
        default_user=user,
        default_change_reason=reason,
        default_date=now,
    )
    ManagementPeriod.objects.bulk_create(
        [
            ManagementPeriod(estate=e, mode=e.management_mode, started_on=today, recorded_by=user, note=reason)
            for e in created
        ],
        batch_size=2000,
    )


def _update_estates(to_update: list, *, user, now, today, reason: str) -> None:
    """The changed estates, with their history; a changed management mode
    closes the open period and opens one in the new mode."""
    updated, mode_changes, fields = [], [], set()
    for _number, estate, changed in to_update:
        if "management_mode" in changed and changed["management_mode"] != estate.management_mode:
            mode_changes.append(estate)
        for name, value in changed.items():
            setattr(estate, name, value if value is not None else FIELD_DEFAULTS.get(name))
            fields.add(name)
        estate.version += 1
        estate.updated_at = now
        updated.append(estate)
    if updated:
        bulk_update_with_history(
            updated,
            Estate,
            sorted(fields | {"version", "updated_at"}),
            batch_size=2000,
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
    if mode_changes:
        ManagementPeriod.objects.filter(estate__in=mode_changes, ended_on__isnull=True).update(ended_on=today)
        ManagementPeriod.objects.bulk_create(
            [
                ManagementPeriod(estate=e, mode=e.management_mode, started_on=today, recorded_by=user, note=reason)
                for e in mode_changes
            ]
        )
