from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    # Residents (no account)
    path("file/", views.public_form, name="public_form"),
    path("file/added/", views.supplemented, name="supplemented"),
    path("estates.json", views.estate_search, name="estate_search"),
    path("track/", views.track, name="track"),
    path("t/<str:token>/", views.follow, name="follow"),
    path("t/<str:token>/photos/<int:pk>/", views.follow_photo, name="follow_photo"),
    # Staff
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("export.xlsx", views.case_export, name="case_export"),
    path("measures/", views.measures, name="measures"),
    path("measures.xlsx", views.measures_export, name="measures_export"),
    path("calendar/", views.calendar, name="calendar"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/phone/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/do/<slug:action>/", views.case_action, name="case_action"),
    path("photos/<int:pk>/", views.case_photo, name="case_photo"),
    path("extensions/<int:pk>/", views.extension_decide, name="extension_decide"),
]
