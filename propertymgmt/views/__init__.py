"""Property pages. Views parse the request, call a selector or service, render.

One module per part of the app; propertymgmt/urls.py names the views through
this package (`from propertymgmt import views`).
"""

from propertymgmt.views.companies import (
    company_create,
    company_list,
    company_withdraw,
    contract_create,
    contract_end,
    contract_list,
    order_out,
)
from propertymgmt.views.disbursement import (
    batch_detail,
    batch_instruction,
    batch_list,
    batch_settle,
    batch_settle_confirm,
)
from propertymgmt.views.estates import estate_property
from propertymgmt.views.fund import (
    fund_account_create,
    fund_account_detail,
    fund_account_list,
    fund_report,
    fund_report_export,
)
from propertymgmt.views.home import committee_expire, home, overdue_committees
from propertymgmt.views.payees import payee_detail, payee_edit, payee_list, payee_reveal, payees_missing
from propertymgmt.views.rectification import (
    company_detail,
    company_opinion_add,
    rectification_check,
    rectification_create,
    rectification_detail,
    rectification_list,
)
from propertymgmt.views.rewards import reward_detail, reward_edit, reward_list
from propertymgmt.views.subsidies import (
    subsidy_export,
    subsidy_payments,
    subsidy_periods,
    subsidy_rate_set,
    subsidy_reconciliation,
    subsidy_reconciliation_export,
    subsidy_run,
)
from propertymgmt.views.votes import vote_cast, vote_codes, vote_create, vote_detail, vote_list

__all__ = [
    "batch_detail",
    "batch_instruction",
    "batch_list",
    "batch_settle",
    "batch_settle_confirm",
    "committee_expire",
    "company_create",
    "company_detail",
    "company_opinion_add",
    "rectification_check",
    "rectification_create",
    "rectification_detail",
    "rectification_list",
    "company_list",
    "company_withdraw",
    "contract_create",
    "contract_end",
    "contract_list",
    "estate_property",
    "fund_account_create",
    "fund_account_detail",
    "fund_account_list",
    "fund_report",
    "fund_report_export",
    "home",
    "order_out",
    "overdue_committees",
    "reward_detail",
    "reward_edit",
    "reward_list",
    "payee_detail",
    "payee_edit",
    "payee_list",
    "payee_reveal",
    "payees_missing",
    "subsidy_export",
    "subsidy_reconciliation",
    "subsidy_reconciliation_export",
    "subsidy_payments",
    "subsidy_periods",
    "subsidy_rate_set",
    "subsidy_run",
    "vote_cast",
    "vote_codes",
    "vote_create",
    "vote_detail",
    "vote_list",
]
