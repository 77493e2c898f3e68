"""Abuse controls of the public intake (web form, Open311, tracking) that honest
residents do not notice: counters per address, per phone and per case number
(core.ratelimit: Redis, or the database while Redis is down — a limit never
switches off), and an arithmetic question after repeated submissions from one
address (no picture captcha: 适老化)."""

import random

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from core import ratelimit
from core.http import client_ip as client_ip  # views call abuse.client_ip
from core.ratelimit import Rule
from core.validators import normalize_mobile

HOUR = 3600
DAY = 24 * HOUR
CHALLENGE_SALT = "complaints.challenge"

# Filings (web form and Open311 alike).
FILE_PER_IP = Rule("file-ip", HOUR)
FILE_PER_PHONE = Rule("file-phone", DAY)
# Tracking by number + phone: misses per address, per number and per phone, so
# guessing fails whether one address tries many pairs or many addresses try
# the pairs of one number (or of one phone).
TRACK_MISS_PER_IP = Rule("track-miss-ip", HOUR)
TRACK_MISS_PER_NUMBER = Rule("track-miss-number", HOUR)
TRACK_MISS_PER_PHONE = Rule("track-miss-phone", HOUR)

# Misses allowed per hour: settings.COMPLAINT_TRACK_MISSES_PER_IP_HOUR and _PER_NUMBER_HOUR.

_KINDS = {"ip": FILE_PER_IP, "phone": FILE_PER_PHONE}


def count(kind: str, value: str) -> int:
    """Filings counted for an address ("ip") or a phone ("phone")."""
    return ratelimit.count(_KINDS[kind], value)


class Limits:
    """The intake's counters for one address and one phone: read together
    (one round trip) before the filing is validated, and raised together once
    the case is saved. Shared by the web form and Open311."""

    def __init__(self, ip: str, phone: str = ""):
        self.ip = ip
        self.phone = normalize_mobile(phone) if phone else ""
        pairs = [(FILE_PER_IP, ip)] + ([(FILE_PER_PHONE, self.phone)] if self.phone else [])
        found = ratelimit.counts(pairs)
        self.ip_count = found[0]
        self.phone_count = found[1] if self.phone else 0

    @property
    def ip_over_limit(self) -> bool:
        return self.ip_count >= settings.COMPLAINT_RATE_PER_IP_HOUR

    @property
    def needs_challenge(self) -> bool:
        return self.ip_count >= settings.COMPLAINT_CHALLENGE_AFTER

    def phone_over_limit(self, phone: str) -> bool:
        phone = normalize_mobile(phone)
        if phone != self.phone:  # the form normalised it differently: read it afresh
            self.phone, self.phone_count = phone, ratelimit.count(FILE_PER_PHONE, phone)
        return self.phone_count >= settings.COMPLAINT_RATE_PER_PHONE_DAY

    def record(self, phone: str) -> None:
        ratelimit.hit([(FILE_PER_IP, self.ip), (FILE_PER_PHONE, normalize_mobile(phone))])


def _track_pairs(ip: str, number: str, phone: str):
    return [(TRACK_MISS_PER_IP, ip), (TRACK_MISS_PER_NUMBER, number), (TRACK_MISS_PER_PHONE, phone)]


def track_refused(*, ip: str, number: str, phone: str) -> bool:
    """Too many wrong number + phone pairs lately from this address, for this
    number or for this phone."""
    ip_misses, number_misses, phone_misses = ratelimit.counts(_track_pairs(ip, number, phone))
    per_ip = settings.COMPLAINT_TRACK_MISSES_PER_IP_HOUR
    per_case = settings.COMPLAINT_TRACK_MISSES_PER_NUMBER_HOUR
    return ip_misses >= per_ip or number_misses >= per_case or phone_misses >= per_case


def track_missed(*, ip: str, number: str, phone: str) -> None:
    ratelimit.hit(_track_pairs(ip, number, phone))


def new_challenge() -> tuple[str, str]:
    a, b = random.randint(2, 9), random.randint(2, 9)  # a question, not a secret
    question = _("%(a)s 加 %(b)s 等于几？") % {"a": a, "b": b}
    return question, signing.dumps({"sum": a + b}, salt=CHALLENGE_SALT)


def challenge_passed(token: str, answer: str) -> bool:
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=1800)
    except signing.BadSignature:
        return False
    answer = (answer or "").strip()
    if not (answer.isascii() and answer.isdigit()):
        return False
    return int(answer) == data["sum"]
