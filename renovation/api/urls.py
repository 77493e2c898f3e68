"""REST endpoints of the renovation app, mounted under /api/v1/ by oldestate/api_urls.py."""

from rest_framework.routers import SimpleRouter

from renovation.api import views

router = SimpleRouter()
router.register("renovation-projects", views.ProjectViewSet, basename="renovation-project")
router.register("renovation-catalogue", views.CatalogueViewSet, basename="renovation-catalogue")
router.register("renovation-work-items", views.WorkItemViewSet, basename="renovation-work-item")
router.register("renovation-funding", views.FundingLineViewSet, basename="renovation-funding")
router.register("renovation-consultations", views.ConsultationViewSet, basename="renovation-consultation")
router.register("renovation-progress", views.ProgressReportViewSet, basename="renovation-progress")

urlpatterns = router.urls
