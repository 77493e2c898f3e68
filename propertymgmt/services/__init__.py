"""Writes of the property app: contracts, fees, assessments, votes, the fund,
committees and their reminders, and subsidies. Views, the API, Celery tasks and
commands call these; each checks the user's scope, validates and writes inside
one transaction.

One module per sub-domain; this package re-exports their public names, so
callers keep writing `from propertymgmt import services` and
`services.start_contract(...)`. Inside the package the modules import each other
downwards only: `common`, `periods` and `delivery` are leaves (and the portable
runs import only those), `contracts` sits under `companies` and `assessments`,
`rectification` sits under `assessments` (an order out
records the street's exit opinion), `subsidies` and `reminders` use the portable runs for the demo's SQLite.
"""

from __future__ import annotations

from propertymgmt.services.assessments import order_out, provide_upheld_counts, record_assessment, score_of
from propertymgmt.services.committees import (
    COMMITTEE_DETAIL_FIELDS,
    COMMITTEE_LOCKED_FIELDS,
    FILING_DAYS,
    PREPARATION_DAYS,
    RE_ELECTION_WINDOW_DAYS,
    STAND_IN_KINDS,
    STEP_RESOLVED_BY,
    allowed_moves,
    appoint_building_head,
    complete_step,
    expire_terms,
    move_committee,
    record_existing_committee,
    save_committee,
)
from propertymgmt.services.common import FEN
from propertymgmt.services.companies import save_company, withdraw_company
from propertymgmt.services.contracts import CONTRACT_FIELDS, end_contract, record_fee_collection, start_contract
from propertymgmt.services.delivery import REMIND_BEFORE_DAYS, REMINDER_BATCH
from propertymgmt.services.delivery import _deliver as _deliver  # portable_runs used to import it from here
from propertymgmt.services.disbursement import build_batch, build_batches, release_batch, settle_line
from propertymgmt.services.fund import (
    RECORDED_KINDS,
    open_fund_account,
    record_fund_transaction,
    remind_fund_top_ups,
    transfer_fund_account,
    withdraw_fund,
)
from propertymgmt.services.payees import (
    PAYEE_FIELDS,
    log_instruction_views,
    may_see_full_account,
    reveal_account_number,
    save_payee,
)
from propertymgmt.services.periods import _quarter_label as _quarter_label  # portable_runs used to import it from here
from propertymgmt.services.periods import ensure_period, quarter_of
from propertymgmt.services.rectification import check_rectification, issue_rectification, record_opinion
from propertymgmt.services.reminders import (
    REMINDER_SQL,
    send_committee_reminders,
    send_rectification_reminders,
    send_reminders,
)
from propertymgmt.services.rewards import approve_awards, clean_items, clean_tiers, save_scheme, score_award, share_for
from propertymgmt.services.settlement import ReturnFile, apply_previewed, apply_return_file, preview_return_file
from propertymgmt.services.subsidies import (
    ADVANCE_CANDIDATES_SQL,
    ADVANCE_SQL,
    BALANCE_CANDIDATES_SQL,
    BALANCE_SQL,
    MONTHS_SQL,
    PAID_SQL,
    SUBSIDY_BATCH,
    approve_payments,
    ensure_periods,
    run_advance,
    run_balance,
    set_subsidy_rate,
    subsidy_due,
)
from propertymgmt.services.votes import (
    VoteResult,
    cast_online,
    close_vote,
    issue_codes,
    open_vote,
    record_paper_ballot,
    tally,
)

__all__ = [
    "approve_awards",
    "clean_items",
    "clean_tiers",
    "save_scheme",
    "score_award",
    "share_for",
    "check_rectification",
    "issue_rectification",
    "record_opinion",
    "send_committee_reminders",
    "send_rectification_reminders",
    "ReturnFile",
    "apply_previewed",
    "apply_return_file",
    "preview_return_file",
    "build_batch",
    "build_batches",
    "release_batch",
    "settle_line",
    "PAYEE_FIELDS",
    "log_instruction_views",
    "may_see_full_account",
    "reveal_account_number",
    "save_payee",
    "ADVANCE_CANDIDATES_SQL",
    "ADVANCE_SQL",
    "allowed_moves",
    "appoint_building_head",
    "approve_payments",
    "BALANCE_CANDIDATES_SQL",
    "BALANCE_SQL",
    "cast_online",
    "close_vote",
    "COMMITTEE_DETAIL_FIELDS",
    "COMMITTEE_LOCKED_FIELDS",
    "complete_step",
    "CONTRACT_FIELDS",
    "end_contract",
    "ensure_period",
    "ensure_periods",
    "expire_terms",
    "FEN",
    "FILING_DAYS",
    "issue_codes",
    "MONTHS_SQL",
    "move_committee",
    "open_vote",
    "order_out",
    "provide_upheld_counts",
    "PAID_SQL",
    "PREPARATION_DAYS",
    "quarter_of",
    "RE_ELECTION_WINDOW_DAYS",
    "record_assessment",
    "record_existing_committee",
    "record_fee_collection",
    "record_paper_ballot",
    "REMIND_BEFORE_DAYS",
    "REMINDER_BATCH",
    "REMINDER_SQL",
    "run_advance",
    "run_balance",
    "save_committee",
    "save_company",
    "score_of",
    "send_reminders",
    "set_subsidy_rate",
    "STAND_IN_KINDS",
    "start_contract",
    "STEP_RESOLVED_BY",
    "SUBSIDY_BATCH",
    "subsidy_due",
    "tally",
    "VoteResult",
    "withdraw_company",
    "withdraw_fund",
    "open_fund_account",
    "RECORDED_KINDS",
    "record_fund_transaction",
    "remind_fund_top_ups",
    "transfer_fund_account",
]
