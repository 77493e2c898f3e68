from django.urls import path

from dashboard import views, workbook_views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("workbook/", workbook_views.workbook, name="workbook"),
]
