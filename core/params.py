"""Numbers and ids from the outside world, parsed in one place.

A URL, a query string or a form field is text a visitor typed, or a script
made up. Python's `int()` accepts more than the portal means by a number
(" 12", "١٢", "1_000", twenty digits that PostgreSQL cannot store) and raises
on the rest, which used to end as a 500. Every view reads its numbers through
these helpers instead: an id that is not a plain ASCII number within bigint is
"no such record", and a parameter out of its range is a 400 that names it.
"""

import re

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

# PostgreSQL's bigint, the widest key any table here has.
MAX_ID = 2**63 - 1

# Years the portal has data for: the old estates were built after 1949, and
# plans look a few five-year periods ahead.
MIN_YEAR = 1949
MAX_YEAR = 2100

_ASCII_NUMBER = re.compile(r"-?[0-9]{1,20}")


def parse_int(value) -> int | None:
    """`value` as an int if it is a plain ASCII (optionally negative) number
    of at most 20 digits, otherwise None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not _ASCII_NUMBER.fullmatch(value):
        return None
    return int(value)


def parse_id(value) -> int | None:
    """A primary key (1…bigint) from text, or None when it cannot name a row."""
    number = parse_int(value)
    if number is None or not 1 <= number <= MAX_ID:
        return None
    return number


def id_param(params, name: str) -> int | None:
    """The id in `params[name]` (a QueryDict), None when missing or junk.

    Junk in an id names no record: the caller treats it as it treats an id
    that does not exist (not found, or a form error).
    """
    return parse_id(params.get(name) or "")


def int_param(request, name: str, *, default: int | None, min: int, max: int, lenient: bool = False) -> int | None:
    """The integer query parameter `name` of `request`, between `min` and `max`.

    Missing or empty gives `default`. Anything else that is not a whole number
    in range is a 400 naming the parameter, or, when `lenient`, the default
    (for pages where a friendlier answer is to show the usual view).
    """
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    number = parse_int(raw.strip())
    if number is not None and min <= number <= max:
        return number
    if lenient:
        return default
    raise BadRequest(_("参数“%(name)s”应为 %(min)s 到 %(max)s 之间的整数。") % {"name": name, "min": min, "max": max})


def year_param(request, name: str = "year", *, default: int | None, lenient: bool = False) -> int | None:
    """A year between 1949 and 2100 (see `int_param`)."""
    return int_param(request, name, default=default, min=MIN_YEAR, max=MAX_YEAR, lenient=lenient)
