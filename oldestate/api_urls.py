from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from communities.api import views as ledger

# No ".json" twin routes: ids may be any path segment (accounts.api.ANY_SEGMENT),
# so "9.json" would reach the detail view as the id and the twin never answer.
# Clients choose the format by the Accept header (or ?format=json).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("estates", ledger.EstateViewSet, basename="estate")
router.register("buildings", ledger.BuildingViewSet, basename="building")
router.register("street-offices", ledger.StreetOfficeViewSet, basename="street-office")
router.register("communities", ledger.CommunityViewSet, basename="community")
router.register("rights-units", ledger.RightsUnitViewSet, basename="rights-unit")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script from ?script instead of inline, for the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("", include(router.urls)),
    path("", include("complaints.api.urls")),
    path("", include("propertymgmt.api.urls")),
    path("", include("renovation.api.urls")),
]
