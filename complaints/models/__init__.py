"""Complaint mediation (物业投诉调解): cases, their steps, deadlines and measures.

A case belongs to the street office whose mediation station works it (and to
the community it happened in, when known); `scoped()` reads that through
`scope_q`. Residents have no account: they reach their own case through its
secret link, or through its number together with their phone number.

One module per sub-domain; this package re-exports every model, so callers keep
writing `from complaints.models import Complaint`. The enums live in
`complaints.choices` (re-exported here too): other apps import them from there.
"""

# isort: off
# The submodules are imported in the order their models were defined in the old single
# module, so the app registry lists the models (and their reverse relations) as before.
from .reference import Category, CalendarDay
from .cases import DailyCounter, Complaint, Step, Photo, ExtensionRequest
from .tracking import TrackingCode, PhoneView
from .replies import ReplyTemplate, Notification
from .stats import MonthlyStat
# isort: on

from ..choices import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    STAFF_CHANNELS,
    WORKING_STATUSES,
    Channel,
    Escalation,
    MediationType,
    Status,
)

__all__ = [
    "Category",
    "CalendarDay",
    "DailyCounter",
    "Complaint",
    "Step",
    "Photo",
    "ExtensionRequest",
    "TrackingCode",
    "PhoneView",
    "ReplyTemplate",
    "Notification",
    "MonthlyStat",
    "Channel",
    "STAFF_CHANNELS",
    "Status",
    "OPEN_STATUSES",
    "WORKING_STATUSES",
    "FINISHED_STATUSES",
    "Escalation",
    "MediationType",
]
