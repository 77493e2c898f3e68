"""Renovation projects (老旧小区改造): plans, work items, gates, money, consultation, progress.

Five-year plan → annual plans → one project per estate per annual plan
(一小区一方案). A project hangs off its estate, so it is scoped like the ledger
(district / street / community through estate__community…). Gates that depend
on other apps (long-term management, residents' vote) are evaluated live in
renovation.selectors; this app stores only what it decides itself: overrides
with their written reason, and the evidence shown when construction started.

One module per sub-domain; this package re-exports every model, so callers keep
writing `from renovation.models import Project`. The enums live in
`renovation.choices` (re-exported here too): other apps import them from there.
`photo_path` stays importable here: the initial migration names it as
`renovation.models.photo_path`.
"""

# isort: off
# The submodules are imported in the order their models were defined in the old single
# module, so the app registry lists the models (and their reverse relations) as before.
from .plans import FiveYearPlan, AnnualPlan, CatalogueItem
from .projects import Project, StageMove
from .gates import GateOverride, StreetConsent, FundArrangement
from .works import MONEY, NOT_NEGATIVE, WorkItem, FundingLine
from .consultation import ConsultationMeeting
from .progress import ProgressReport, photo_path, ProgressPhoto, ScheduleReminder
from .records import Approval, TenderAward
# isort: on

from ..choices import FINISHED_STAGES, STAGE_ORDER, STARTED_STAGES, FundingSource, Gate, Output, Stage, WorkCategory
from ._scoping import DISTRICT_WRITERS

__all__ = [
    "FiveYearPlan",
    "AnnualPlan",
    "CatalogueItem",
    "Project",
    "StageMove",
    "GateOverride",
    "StreetConsent",
    "FundArrangement",
    "MONEY",
    "NOT_NEGATIVE",
    "WorkItem",
    "FundingLine",
    "ConsultationMeeting",
    "ProgressReport",
    "photo_path",
    "ProgressPhoto",
    "ScheduleReminder",
    "Approval",
    "TenderAward",
    "DISTRICT_WRITERS",
    "WorkCategory",
    "Output",
    "Stage",
    "STAGE_ORDER",
    "STARTED_STAGES",
    "FINISHED_STAGES",
    "Gate",
    "FundingSource",
]
