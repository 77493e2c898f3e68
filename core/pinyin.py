"""Pinyin order and pinyin initials of Chinese names, without a pinyin package.

core/pinyin_table.txt lists the CJK Unified Ideographs in the order PostgreSQL's
ICU collation "zh-x-icu" (CLDR's pinyin collation) sorts them, grouped by initial
letter (scripts/make-pinyin-table.py writes it). From it:

- `sort_key(text)`: the embedded SQLite demo sorts names as PostgreSQL does
  (东, 和, 交, 四 … not by code point); registered as the SQLite collation
  "pinyin" (`register_sqlite_collation`), which core.db.Pinyin names.
- `initials(text)`: "gmbl" for 光明北里, stored with each estate so the ledger
  search finds it by the initials clerks type on a phone keyboard.

One reading per character (as ICU): a polyphone takes its common reading.
"""

from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "pinyin_table.txt"
COLLATION = "pinyin"


@cache
def _table() -> tuple[dict[str, int], dict[str, str]]:
    rank, initial = {}, {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        letter, characters = line.split("\t")
        for char in characters:
            rank[char] = len(rank)
            initial[char] = letter.lower()
    return rank, initial


def initials(text: str) -> str:
    """光明北里 → "gmbl"; letters and digits are kept (lower case), anything else dropped."""
    _rank, initial = _table()
    out = []
    for char in text or "":
        if char in initial:
            out.append(initial[char])
        elif char.isascii() and char.isalnum():
            out.append(char.lower())
    return "".join(out)


def sort_key(text: str) -> tuple:
    """Characters outside the table (digits, Latin letters, punctuation) before
    Chinese ones, by code point, as ICU puts them; Chinese ones in pinyin order."""
    rank, _initial = _table()
    return tuple((1, rank[char]) if char in rank else (0, ord(char)) for char in text or "")


def compare(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """connection_created receiver: SQLite learns the "pinyin" collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, compare)
