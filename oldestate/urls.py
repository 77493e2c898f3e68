from django.contrib import admin
from django.urls import include, path

from oldestate import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", include("dashboard.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("ledger/", include("communities.urls")),
    path("exports/", include("core.urls")),
    path("complaints/", include("complaints.urls")),
    path("open311/v2/", include("complaints.open311_urls")),
    path("property/", include("propertymgmt.urls")),
    path("renovation/", include("renovation.urls")),
    path("api/v1/", include("oldestate.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
