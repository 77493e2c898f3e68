"""Pages of the complaints app. Views parse the request, call a selector or a
service, and render; residents' pages need no account, staff pages are scoped.

public: the residents' pages; staff: the queue, the case page and its actions;
reports: the measures and the working-day calendar. The URLconf and the API
import from here.
"""

from complaints.views.public import estate_search, follow, follow_photo, public_form, supplemented, track
from complaints.views.reports import GROUPINGS, calendar, measures, measures_export
from complaints.views.staff import (
    CASE_ACTIONS,
    QUEUE_CAP,
    CappedPaginator,
    bounded_count,
    case_action,
    case_create,
    case_detail,
    case_export,
    case_list,
    case_photo,
    extension_decide,
    filter_cases,
    reveal_phone,
)

__all__ = [
    "CASE_ACTIONS",
    "GROUPINGS",
    "QUEUE_CAP",
    "CappedPaginator",
    "bounded_count",
    "calendar",
    "case_action",
    "case_create",
    "case_detail",
    "case_export",
    "case_list",
    "case_photo",
    "estate_search",
    "extension_decide",
    "filter_cases",
    "follow",
    "follow_photo",
    "measures",
    "measures_export",
    "public_form",
    "reveal_phone",
    "supplemented",
    "track",
]
