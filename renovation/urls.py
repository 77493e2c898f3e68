from django.urls import path

from renovation import views

app_name = "renovation"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("plans/", views.plan_list, name="plan_list"),
    path("catalogue/", views.catalogue_list, name="catalogue_list"),
    path("reminders/", views.reminder_list, name="reminder_list"),
    path("subsidy-check/", views.subsidy_check, name="subsidy_check"),
    path("reports/streets/", views.street_report, name="street_report"),
    path("reports/streets.xlsx", views.street_report_export, name="street_report_export"),
    path("reports/projects/", views.project_report, name="project_report"),
    path("reports/projects.xlsx", views.project_report_export, name="project_report_export"),
    path("photos/<int:pk>/", views.photo_download, name="photo_download"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/move/", views.project_move, name="project_move"),
    path("<int:pk>/gates/<str:gate>/override/", views.gate_override, name="gate_override"),
    path("<int:pk>/street-consent/", views.street_consent, name="street_consent"),
    path("<int:pk>/fund-arrangement/", views.fund_arrangement, name="fund_arrangement"),
    path("<int:pk>/approvals/new/", views.approval_edit, name="approval_create"),
    path("<int:pk>/approvals/<int:approval_pk>/", views.approval_edit, name="approval_edit"),
    path("<int:pk>/tender/<str:role>/", views.tender_award_edit, name="tender_award_edit"),
    path("<int:pk>/work-items/new/", views.work_item_edit, name="work_item_create"),
    path("<int:pk>/work-items/<int:item_pk>/", views.work_item_edit, name="work_item_edit"),
    path("<int:pk>/funding/new/", views.funding_edit, name="funding_create"),
    path("<int:pk>/funding/<int:line_pk>/", views.funding_edit, name="funding_edit"),
    path("<int:pk>/consultations/new/", views.consultation_add, name="consultation_add"),
    path("<int:pk>/progress/new/", views.progress_add, name="progress_add"),
]
