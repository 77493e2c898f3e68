"""Settlement by the return file (回单): the payment instruction sent back by the bank
or the finance bureau with two more columns, 结果 (已支付 / 已退回) and 退回原因.
Each row is matched on its 明细编号, account number and amount; any mismatch,
unknown line, duplicate or line already settled refuses the whole file with every
problem listed by row and column, and nothing is written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Action, can, get_scoped_object_or_404
from core.validators import mask_account_number, normalize_account_number
from core.xlsx_import import BoundedRows, ImportFileError, import_row_limit, open_import_workbook
from propertymgmt.models import BatchLine, DisbursementBatch

LINE, ACCOUNT, AMOUNT, RESULT, REASON = "明细编号", "账号", "金额（元）", "结果", "退回原因"
REQUIRED = (LINE, ACCOUNT, AMOUNT, RESULT)
PAID_WORDS = frozenset({"已支付", "支付成功", "成功", "已到账"})
RETURNED_WORDS = frozenset({"已退回", "退回", "退票", "失败", "支付失败"})
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 20


@dataclass
class ReturnFile:
    """What a return file would do: the rows to settle, or the problems found."""

    paid: list[int] = field(default_factory=list)  # line ids
    returned: dict[int, str] = field(default_factory=dict)  # line id → reason
    paid_amount: Decimal = Decimal("0.00")
    returned_amount: Decimal = Decimal("0.00")
    errors: list[str] = field(default_factory=list)
    rows: int = 0

    def as_saved(self) -> dict:
        """What a confirmed preview settles, for keeping until the confirmation."""
        return {
            "paid": self.paid,
            "returned": {str(k): v for k, v in self.returned.items()},
            "paid_amount": str(self.paid_amount),
            "returned_amount": str(self.returned_amount),
            "rows": self.rows,
        }

    @classmethod
    def from_saved(cls, saved: dict) -> ReturnFile:
        return cls(
            paid=[int(pk) for pk in saved["paid"]],
            returned={int(k): str(v)[:200] for k, v in saved["returned"].items()},
            paid_amount=Decimal(saved["paid_amount"]),
            returned_amount=Decimal(saved["returned_amount"]),
            rows=int(saved["rows"]),
        )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _amount(value) -> Decimal | None:
    """The cell's amount to the fen, or None when it is not one (a float cell is
    read through its shortest repr: 1234.56, never 1234.5599999)."""
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else _text(value).replace(",", ""))
    except InvalidOperation:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def read_return_file(*, batch: DisbursementBatch, fileobj) -> ReturnFile:
    """Check every row of the file against the batch's lines (one query)."""
    result = ReturnFile()
    fields = ("pk", "account_number", "amount", "status")
    lines = {line["pk"]: line for line in BatchLine.objects.filter(batch=batch).values(*fields)}
    limit = import_row_limit()
    seen: dict[int, int] = {}
    try:
        with open_import_workbook(fileobj) as workbook:
            rows = BoundedRows(workbook.worksheets[0], max_columns=MAX_COLUMNS, max_rows=limit + 40, limit=limit)
            columns = None
            for number, values in enumerate(rows, start=1):
                if columns is None:
                    names = [_text(v) for v in values]
                    if LINE in names:
                        missing = [name for name in REQUIRED if name not in names]
                        if missing:
                            result.errors.append(
                                _("第%(row)s行：缺少列“%(cols)s”。") % {"row": number, "cols": "”“".join(missing)}
                            )
                            return result
                        columns = {name: names.index(name) for name in (*REQUIRED, REASON) if name in names}
                    elif number >= HEADER_SEARCH_ROWS:
                        break
                    continue
                if not _text(values[columns[LINE]]) or _text(values[0]) == "合计":
                    continue  # blank rows, the 合计 row and the signatures
                result.rows += 1
                _check_row(result, number, values, columns, lines, seen)
    except ImportFileError as error:
        result.errors.append(error.message)
        return result
    if columns is None:
        result.errors.append(_("没有找到表头（应含“明细编号”“账号”“金额（元）”“结果”列）。"))
    elif not result.rows:
        result.errors.append(_("文件中没有回单明细。"))
    return result


def _check_row(result: ReturnFile, number: int, values, columns, lines, seen) -> None:
    def problem(column, message):
        result.errors.append(_("第%(row)s行 %(col)s：%(msg)s") % {"row": number, "col": column, "msg": message})

    text = _text(values[columns[LINE]])
    line_id = int(text) if text.isdigit() else None
    line = lines.get(line_id)
    if line is None:
        problem(LINE, _("“%(v)s”不是本批次的拨付明细。") % {"v": text})
        return
    if line_id in seen:
        problem(LINE, _("与第%(row)s行重复。") % {"row": seen[line_id]})
        return
    seen[line_id] = number
    account = normalize_account_number(_text(values[columns[ACCOUNT]]))
    if account != line["account_number"]:
        problem(ACCOUNT, _("与拨付明细不符（明细为 %(m)s）。") % {"m": mask_account_number(line["account_number"])})
    amount = _amount(values[columns[AMOUNT]])
    if amount is None:
        problem(AMOUNT, _("不是到分的金额。"))
    elif amount != line["amount"]:
        problem(AMOUNT, _("%(got)s 与拨付明细的 %(want)s 不符。") % {"got": amount, "want": line["amount"]})
    word = _text(values[columns[RESULT]])
    reason = _text(values[columns[REASON]]) if REASON in columns else ""
    if word not in PAID_WORDS | RETURNED_WORDS:
        problem(RESULT, _("应为“已支付”或“已退回”，文件中为“%(v)s”。") % {"v": word})
        return
    if line["status"] != BatchLine.Status.PENDING:
        problem(RESULT, _("该笔已登记为“%(s)s”，不能重复登记。") % {"s": BatchLine.Status(line["status"]).label})
        return
    if word in RETURNED_WORDS:
        if not reason:
            problem(REASON, _("退回的明细须写明退回原因。"))
            return
        result.returned[line_id] = reason[:200]
        result.returned_amount += line["amount"]
    else:
        result.paid.append(line_id)
        result.paid_amount += line["amount"]


def batch_for_settlement(*, user, batch_id: int, lock: bool = False) -> DisbursementBatch:
    queryset = DisbursementBatch.objects.select_for_update() if lock else DisbursementBatch.objects.all()
    batch = get_scoped_object_or_404(queryset, user, Action.VIEW, pk=batch_id)
    if not can(user, Action.APPROVE, DisbursementBatch):
        raise ValidationError(_("拨付批次由区级管理人员发布和结算。"))
    if batch.status != DisbursementBatch.Status.RELEASED:
        raise ValidationError(_("批次发布后才能登记支付结果。"))
    return batch


def preview_return_file(*, user, batch_id: int, fileobj) -> ReturnFile:
    return read_return_file(batch=batch_for_settlement(user=user, batch_id=batch_id), fileobj=fileobj)


@transaction.atomic
def apply_return_file(*, user, batch_id: int, fileobj) -> ReturnFile:
    """Settle the batch from the file, all or nothing (read under the batch's lock)."""
    batch = batch_for_settlement(user=user, batch_id=batch_id, lock=True)
    result = read_return_file(batch=batch, fileobj=fileobj)
    if result.errors:
        raise ValidationError(result.errors)
    _settle(user, batch, result)
    return result


@transaction.atomic
def apply_previewed(*, user, batch_id: int, previewed: dict) -> ReturnFile:
    """Settle the batch as its confirmed preview said (`ReturnFile.as_saved()`), all or
    nothing, without reading the file a second time: every line it names must still
    be pending under the batch's lock (one settled by hand since refuses the whole
    file), and a released batch's lines cannot have changed their account or amount."""
    batch = batch_for_settlement(user=user, batch_id=batch_id, lock=True)
    result = ReturnFile.from_saved(previewed)
    _settle(user, batch, result)
    return result


def _settle(user, batch: DisbursementBatch, result: ReturnFile) -> None:
    now = timezone.now()
    pending = BatchLine.objects.filter(batch=batch, status=BatchLine.Status.PENDING)
    changed = pending.filter(pk__in=result.paid).update(
        status=BatchLine.Status.PAID, settled_at=now, settled_by=user, reason=""
    )
    by_reason = defaultdict(list)
    for line_id, reason in result.returned.items():
        by_reason[reason].append(line_id)
    for reason, ids in by_reason.items():
        changed += pending.filter(pk__in=ids).update(
            status=BatchLine.Status.RETURNED, settled_at=now, settled_by=user, reason=reason
        )
    if changed != len(result.paid) + len(result.returned):
        raise ValidationError(_("导入期间有明细被他人登记，请重新上传回单。"))
