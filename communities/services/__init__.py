"""Writes to the estate ledger. Pages, the API, imports and commands all call these.

Each function checks the user's scope for the action, validates, writes inside
one transaction and records who did it in the change history. One module per
part of the ledger; callers import from here (`from communities import services`),
never from the modules.
"""

from communities.services.buildings import create_building, delete_building, update_building
from communities.services.estates import (
    bulk_update_estates,
    cache_fund_facts,
    create_estate,
    delete_estate,
    restore_estate,
    update_estate,
)
from communities.services.households import (
    HOUSEHOLD_FIELDS,
    commit_household_import,
    preview_household_import,
    save_household,
)
from communities.services.ledger_import import (
    MAX_STORED_ERRORS,
    PREVIEW_SAMPLES,
    commit_import,
    discard_import,
    preview_import,
)
from communities.services.records import add_attachment, add_note, delete_attachment, save_illegal_structure
from communities.services.reverts import revert_change
from communities.services.rights import create_rights_unit, delete_holding, save_holding, update_rights_unit
from communities.services.saved_filters import delete_filter, save_filter
from core.exceptions import EditConflict  # raised by the edits; callers name it services.EditConflict

__all__ = [
    "HOUSEHOLD_FIELDS",
    "MAX_STORED_ERRORS",
    "PREVIEW_SAMPLES",
    "EditConflict",
    "add_attachment",
    "add_note",
    "bulk_update_estates",
    "commit_household_import",
    "commit_import",
    "create_building",
    "create_estate",
    "create_rights_unit",
    "delete_attachment",
    "delete_building",
    "delete_estate",
    "delete_filter",
    "delete_holding",
    "discard_import",
    "cache_fund_facts",
    "preview_household_import",
    "preview_import",
    "restore_estate",
    "revert_change",
    "save_filter",
    "save_holding",
    "save_household",
    "save_illegal_structure",
    "update_building",
    "update_estate",
    "update_rights_unit",
]
