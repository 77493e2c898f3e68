"""REST endpoints of the propertymgmt app, mounted under /api/v1/ by oldestate/api_urls.py."""

from rest_framework.routers import SimpleRouter

from propertymgmt.api import views

router = SimpleRouter()
router.register("property-companies", views.CompanyViewSet, basename="property-company")
router.register("property-contracts", views.ContractViewSet, basename="property-contract")
router.register("owners-votes", views.VoteViewSet, basename="owners-vote")
router.register("subsidy-payments", views.PaymentViewSet, basename="subsidy-payment")
router.register("payees", views.PayeeViewSet, basename="payee")
router.register("subsidy-batches", views.BatchViewSet, basename="subsidy-batch")
router.register("owners-committees", views.CommitteeViewSet, basename="owners-committee")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("rectification-orders", views.RectificationOrderViewSet, basename="rectification-order")
router.register("fund-accounts", views.FundAccountViewSet, basename="fund-account")

urlpatterns = router.urls
