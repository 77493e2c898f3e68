from django.urls import path

from propertymgmt import views

app_name = "propertymgmt"

urlpatterns = [
    path("", views.home, name="home"),
    path("estates/<int:estate_pk>/", views.estate_property, name="estate_property"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path("companies/<int:pk>/edit/", views.company_create, name="company_edit"),
    path("companies/<int:pk>/withdraw/", views.company_withdraw, name="company_withdraw"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/end/", views.contract_end, name="contract_end"),
    path("exit/order/", views.order_out, name="order_out"),
    path("committees/expire/", views.committee_expire, name="committee_expire"),
    path("committees/overdue/", views.overdue_committees, name="overdue_committees"),
    path("votes/", views.vote_list, name="vote_list"),
    path("votes/new/", views.vote_create, name="vote_create"),
    path("votes/<int:pk>/", views.vote_detail, name="vote_detail"),
    path("votes/<int:pk>/codes/", views.vote_codes, name="vote_codes"),
    path("vote/<int:pk>/cast/", views.vote_cast, name="vote_cast"),
    path("disbursement/", views.batch_list, name="batch_list"),
    path("disbursement/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("disbursement/<int:pk>/instruction.xlsx", views.batch_instruction, name="batch_instruction"),
    path("disbursement/<int:pk>/settle/", views.batch_settle, name="batch_settle"),
    path("disbursement/<int:pk>/settle/confirm/", views.batch_settle_confirm, name="batch_settle_confirm"),
    path("payees/", views.payee_list, name="payee_list"),
    path("payees/new/", views.payee_edit, name="payee_create"),
    path("payees/missing/", views.payees_missing, name="payees_missing"),
    path("payees/<int:pk>/", views.payee_detail, name="payee_detail"),
    path("payees/<int:pk>/edit/", views.payee_edit, name="payee_edit"),
    path("payees/<int:pk>/reveal/", views.payee_reveal, name="payee_reveal"),
    path("subsidies/", views.subsidy_periods, name="subsidy_periods"),
    path("subsidies/rates/", views.subsidy_rate_set, name="subsidy_rate_set"),
    path("subsidies/run/", views.subsidy_run, name="subsidy_run"),
    path("subsidies/<int:period_pk>/", views.subsidy_payments, name="subsidy_payments"),
    path("subsidies/<int:period_pk>/export.xlsx", views.subsidy_export, name="subsidy_export"),
    path("subsidies/<int:period_pk>/reconciliation/", views.subsidy_reconciliation, name="subsidy_reconciliation"),
    path(
        "subsidies/<int:period_pk>/reconciliation.xlsx",
        views.subsidy_reconciliation_export,
        name="subsidy_reconciliation_export",
    ),
]
