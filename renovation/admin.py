from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from renovation.models import CatalogueItem, FiveYearPlan, GateOverride, Project


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    """Items in use are retired (可选用 off), never deleted."""

    list_display = ["name", "category", "unit", "output", "sort_order", "active"]
    list_filter = ["category", "active"]
    list_editable = ["sort_order", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FiveYearPlan)
class FiveYearPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "start_year", "end_year", "target_estates"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "street", "stage", "progress"]
    list_filter = ["year", "stage"]
    search_fields = ["name", "estate__name"]
    raw_id_fields = ["estate", "annual_plan", "created_by", "cutoff_override_by"]
    readonly_fields = ["stage", "street", "year"]


@admin.register(GateOverride)
class GateOverrideAdmin(admin.ModelAdmin):
    """Overrides are kept for good: read-only here."""

    list_display = ["project", "gate", "approved_by", "approved_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
