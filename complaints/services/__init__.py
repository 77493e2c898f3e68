"""Writes of the complaint mediation app: filing, the state machine, deadlines,
notifications and the monthly measures.

Every staff action checks the user's scope, locks the case row, refuses a step
the case's state does not allow (with a message saying why), records a Step
and keeps the monthly measures, all in one transaction.

One module per concern; callers import from here (`from complaints import
services`), which re-exports every public name:

- intake: filing a case, the duplicate offer, the resident's supplement
- held_photos: the photos kept across the public form's duplicate offer
- numbering: case numbers (and the local day they count by)
- transitions: the state machine and the step every action records (a leaf)
- actions: staff actions, the resident's rating, the assign form's choices
- extensions: deadline extensions asked and decided
- deadlines: reminders, escalation and closing unrated cases (the beat)
- delivery: the SMS outbox and the worker's drain
- tracking: one-time codes for residents following their case
- calendar_days: holidays and make-up working days
- stats: the monthly measures
"""

from complaints.services.actions import (
    accept,
    add_note,
    assign,
    assignable,
    close,
    escalate,
    link,
    rate,
    record_return_visit,
    reject,
    reopen,
    resolve,
    reveal_phone,
    start_mediation,
)
from complaints.services.calendar_days import delete_calendar_day, save_calendar_day
from complaints.services.deadlines import check_deadlines, close_unrated
from complaints.services.delivery import KICK_KEY, KICK_TTL, deliver_pending, kick_delivery, kicked
from complaints.services.extensions import decide_extension, request_extension
from complaints.services.held_photos import held_photos, hold_photos, purge_held_photos, release_photos
from complaints.services.intake import FOREIGN_KEYS, Filing, add_supplement, file_complaint, find_duplicate
from complaints.services.numbering import next_number
from complaints.services.stats import MEASURE_COLUMNS, rebuild_monthly_stats
from complaints.services.tracking import TRACKING_CODES_PER_HOUR, send_tracking_code, verify_tracking_code
from complaints.services.transitions import ACTION_LABELS, RESIDENT, SYSTEM, TRANSITIONS, allowed_actions

__all__ = [
    "ACTION_LABELS",
    "FOREIGN_KEYS",
    "KICK_KEY",
    "KICK_TTL",
    "MEASURE_COLUMNS",
    "RESIDENT",
    "SYSTEM",
    "TRACKING_CODES_PER_HOUR",
    "TRANSITIONS",
    "Filing",
    "accept",
    "add_note",
    "add_supplement",
    "allowed_actions",
    "assign",
    "assignable",
    "check_deadlines",
    "close",
    "close_unrated",
    "decide_extension",
    "delete_calendar_day",
    "deliver_pending",
    "escalate",
    "file_complaint",
    "find_duplicate",
    "held_photos",
    "hold_photos",
    "kick_delivery",
    "kicked",
    "link",
    "next_number",
    "purge_held_photos",
    "rate",
    "rebuild_monthly_stats",
    "release_photos",
    "record_return_visit",
    "reject",
    "reopen",
    "request_extension",
    "resolve",
    "reveal_phone",
    "save_calendar_day",
    "send_tracking_code",
    "start_mediation",
    "verify_tracking_code",
]
