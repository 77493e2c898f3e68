"""The ledger in Excel: the import template, the import (preview, then commit)
and the export. One column list serves all three, so a file the portal exports
can be edited and imported back.

- columns: the import and export columns, header matching;
- cells: reading one cell (text, numbers, yes/no, choices) and one row;
- parsing: reading an upload into checked rows, no database access;
- importing: matching the rows against the ledger (preview) and writing them (commit);
- template: the import template;
- export: the ledger export, streamed.

The names other modules use are re-exported here, so callers import
`communities.ledger_excel` and do not depend on the split.
"""

from communities.ledger_excel.cells import NO, YES, CellError, RowError, cell_text, parse_row
from communities.ledger_excel.columns import (
    COLUMN_MARGIN,
    COLUMN_ORDER,
    DECIMAL_LIMITS,
    EXPORT_HEADERS,
    FIELD_DEFAULTS,
    HEADER_LOOKUP,
    HEADER_SEARCH_ROWS,
    IMPORT_COLUMNS,
    IMPORT_MAX_COLUMNS,
    INT_MAX,
    Column,
    normalize_header,
)
from communities.ledger_excel.export import (
    EXPORT_VALUES,
    PROGRESS_EVERY,
    export_filename,
    export_for_job,
    write_ledger,
)
from communities.ledger_excel.importing import ImportResult, commit_ledger, resolve_ledger
from communities.ledger_excel.parsing import ParsedLedger, parse_ledger
from communities.ledger_excel.template import REQUIRED_FONT, write_template

__all__ = [
    "COLUMN_MARGIN",
    "COLUMN_ORDER",
    "DECIMAL_LIMITS",
    "EXPORT_HEADERS",
    "EXPORT_VALUES",
    "FIELD_DEFAULTS",
    "HEADER_LOOKUP",
    "HEADER_SEARCH_ROWS",
    "IMPORT_COLUMNS",
    "IMPORT_MAX_COLUMNS",
    "INT_MAX",
    "NO",
    "PROGRESS_EVERY",
    "REQUIRED_FONT",
    "YES",
    "CellError",
    "Column",
    "ImportResult",
    "ParsedLedger",
    "RowError",
    "cell_text",
    "commit_ledger",
    "export_filename",
    "export_for_job",
    "normalize_header",
    "parse_ledger",
    "parse_row",
    "resolve_ledger",
    "write_ledger",
    "write_template",
]
