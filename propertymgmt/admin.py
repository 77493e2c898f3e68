"""System administrators keep the rules that are data here: the vote thresholds,
the assessment scheme and the score factors of the subsidy balance. Clerks and
officials work in the portal's own pages, which apply their scope."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from propertymgmt.models import PropertyCompany, ScoreFactor, ScoringScheme, SubsidyRate, VoteThreshold


@admin.register(VoteThreshold)
class VoteThresholdAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "quorum_numerator",
        "quorum_denominator",
        "pass_numerator",
        "pass_denominator",
        "pass_inclusive",
        "legal_basis",
    ]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "complaint_deduction", "is_default"]


@admin.register(ScoreFactor)
class ScoreFactorAdmin(admin.ModelAdmin):
    list_display = ["min_score", "factor"]


@admin.register(SubsidyRate)
class SubsidyRateAdmin(SimpleHistoryAdmin):
    list_display = ["district", "management_mode", "rate"]


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "district", "status"]
    search_fields = ["name", "credit_code"]
