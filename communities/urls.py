from django.urls import path

from communities import household_views, views

app_name = "communities"

urlpatterns = [
    path("", views.estate_list, name="estate_list"),
    path("new/", views.estate_create, name="estate_create"),
    path("bulk-edit/", views.estate_bulk_edit, name="estate_bulk_edit"),
    path("export.xlsx", views.estate_export, name="estate_export"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("deleted/", views.estate_trash, name="estate_trash"),
    path("saved-filters/", views.saved_filter_create, name="saved_filter_create"),
    path("saved-filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("history/<str:kind>/<int:history_id>/revert/", views.history_revert, name="history_revert"),
    path("<int:pk>/", views.estate_detail, name="estate_detail"),
    path("<int:pk>/edit/", views.estate_edit, name="estate_edit"),
    path("<int:pk>/delete/", views.estate_delete, name="estate_delete"),
    path("<int:estate_pk>/buildings/new/", views.building_create, name="building_create"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building_edit"),
    path("buildings/<int:pk>/delete/", views.building_delete, name="building_delete"),
    path("<int:estate_pk>/holdings/new/", views.holding_edit, name="holding_create"),
    path("<int:estate_pk>/holdings/<int:pk>/", views.holding_edit, name="holding_edit"),
    path("<int:estate_pk>/structures/new/", views.structure_edit, name="structure_create"),
    path("<int:estate_pk>/structures/<int:pk>/", views.structure_edit, name="structure_edit"),
    path("<int:estate_pk>/notes/", views.note_add, name="note_add"),
    path("<int:estate_pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("rights-units/", views.rights_unit_list, name="rights_unit_list"),
    path("rights-units/new/", views.rights_unit_edit, name="rights_unit_create"),
    path("rights-units/<int:pk>/", views.rights_unit_detail, name="rights_unit_detail"),
    path("rights-units/<int:pk>/edit/", views.rights_unit_edit, name="rights_unit_edit"),
    path("<int:estate_pk>/households/", household_views.household_list, name="household_list"),
    path("<int:estate_pk>/households/import/", household_views.household_import, name="household_import"),
    path("<int:estate_pk>/households/template.xlsx", household_views.household_template, name="household_template"),
    path("households/import/<int:pk>/", household_views.household_import_preview, name="household_import_preview"),
    path("<int:estate_pk>/households/new/", household_views.household_edit, name="household_create"),
    path("<int:estate_pk>/households/<int:pk>/", household_views.household_edit, name="household_edit"),
]
