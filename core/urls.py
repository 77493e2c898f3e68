from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("<uuid:pk>/", views.export_job, name="export_job"),
    path("<uuid:pk>/download/", views.export_download, name="export_download"),
]
