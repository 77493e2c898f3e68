"""REST endpoints of the complaints app, mounted under /api/v1/ by oldestate/api_urls.py."""

from rest_framework.routers import SimpleRouter

from complaints.api.views import ComplaintViewSet

router = SimpleRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")

urlpatterns = router.urls
