"""Helpers to build .xlsx files the way clerks fill them in."""

import io

from openpyxl import Workbook, load_workbook

from communities.ledger_excel import IMPORT_COLUMNS

HEADERS = [c.header for c in IMPORT_COLUMNS]


def ledger_row(street, community, name, **values):
    row = {
        "街道": street,
        "社区": community,
        "小区名称": name,
        "建成年份": 1990,
        "户数（户）": 100,
        "建筑面积（㎡）": 8000,
        "管理模式": "业主自治",
    }
    row.update(values)
    return row


def xlsx_bytes(rows, headers=HEADERS, title_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "小区台账"
    for title in title_rows:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    return workbook
