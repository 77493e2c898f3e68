"""System administrators keep the rules that are data here: the vote thresholds,
the assessment scheme and the score factors of the subsidy balance. Clerks and
officials work in the portal's own pages, which apply their scope."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from propertymgmt.models import (
    Committee,
    CommitteeTransition,
    PropertyCompany,
    ScoreFactor,
    ScoringScheme,
    SubsidyRate,
    VoteThreshold,
)


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


class CommitteeTransitionInline(admin.TabularInline):
    model = CommitteeTransition
    extra = 0
    can_delete = False
    fields = ["on_date", "from_stage", "to_stage", "vote", "note", "by", "at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    """Contacts may be corrected here; the lifecycle moves only through the portal's
    办理流转 (services.move_committee), which checks the move, logs it and keeps the ledger in step."""

    list_display = ["estate", "kind", "stage", "term_ends_on"]
    list_filter = ["kind", "stage"]
    readonly_fields = [
        "estate",
        "kind",
        "stage",
        "term_starts_on",
        "term_ends_on",
        "filed_on",
        "election_vote",
    ]
    inlines = [CommitteeTransitionInline]

    def has_add_permission(self, request):
        return False
