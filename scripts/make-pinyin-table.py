#!/usr/bin/env python3
"""Write core/pinyin_table.txt: the CJK Unified Ideographs (U+4E00–U+9FFF) in
pinyin order, grouped by initial letter, as PostgreSQL's ICU collation "zh-x-icu"
(CLDR's Chinese pinyin collation) sorts them.

The table lets the embedded SQLite demo sort names as PostgreSQL does and gives
every name its pinyin initials for the ledger search (core.pinyin), without a
pinyin package. CLDR marks the start of each letter's group with U+FDD0 + the
letter, so sorting those markers with the characters splits them by initial.

Usage: DATABASE_URL=postgres://… .venv/bin/python scripts/make-pinyin-table.py
"""

import os
import sys
from pathlib import Path

import psycopg2

SQL = """
SELECT string_agg(c, '' ORDER BY c COLLATE "zh-x-icu", c) FROM (
  SELECT chr(cp) AS c FROM generate_series(x'4E00'::int, x'9FFF'::int) cp
  UNION ALL SELECT chr(x'FDD0'::int) || chr(l) FROM generate_series(65, 90) l
) t
"""


def main() -> None:
    with psycopg2.connect(os.environ["DATABASE_URL"]) as connection, connection.cursor() as cursor:
        cursor.execute(SQL)
        ordered = cursor.fetchone()[0]
    lines = []
    for group in ordered.split("\ufdd0"):
        if len(group) > 1:  # the letter, then its characters (I, U and V have none)
            lines.append(f"{group[0]}\t{group[1:]}")
    target = Path(__file__).resolve().parent.parent / "core" / "pinyin_table.txt"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stderr.write(f"{target}: {sum(len(line) - 2 for line in lines)} characters\n")


if __name__ == "__main__":
    main()
