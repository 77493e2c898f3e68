"""Ledger pages. Views parse the request, call a selector or service, render.

One module per part of the ledger; communities/urls.py names the views through
this package (`from communities import views`).
"""

from communities.views.buildings import building_create, building_delete, building_edit
from communities.views.estates import (
    estate_bulk_edit,
    estate_create,
    estate_delete,
    estate_detail,
    estate_edit,
    estate_list,
    estate_trash,
    history_revert,
)
from communities.views.excel import estate_export, import_preview, import_template, import_upload
from communities.views.records import (
    attachment_add,
    attachment_delete,
    attachment_download,
    note_add,
    structure_edit,
)
from communities.views.rights import holding_edit, rights_unit_detail, rights_unit_edit, rights_unit_list
from communities.views.saved_filters import saved_filter_create, saved_filter_delete

__all__ = [
    "attachment_add",
    "attachment_delete",
    "attachment_download",
    "building_create",
    "building_delete",
    "building_edit",
    "estate_bulk_edit",
    "estate_create",
    "estate_delete",
    "estate_detail",
    "estate_edit",
    "estate_export",
    "estate_list",
    "estate_trash",
    "history_revert",
    "holding_edit",
    "import_preview",
    "import_template",
    "import_upload",
    "note_add",
    "rights_unit_detail",
    "rights_unit_edit",
    "rights_unit_list",
    "saved_filter_create",
    "saved_filter_delete",
    "structure_edit",
]
