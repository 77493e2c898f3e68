"""REST endpoints of the complaints app, mounted under /api/v1/ by oldestate/api_urls.py."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
