"""The admin site is for system administrators (organisation tree, users,
schedules). Clerks work in the portal's own pages, which apply their scope."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from communities.models import Building, Estate, ImportBatch, PropertyRightsUnit


@admin.register(Estate)
class EstateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "community", "year_built", "households", "management_mode"]
    list_filter = ["management_mode", "community__street"]
    search_fields = ["name", "address"]
    list_select_related = ["community"]
    raw_id_fields = ["community", "fund_holder_unit"]


@admin.register(Building)
class BuildingAdmin(SimpleHistoryAdmin):
    list_display = ["number", "estate", "floors", "households", "danger_grade"]
    raw_id_fields = ["estate"]


@admin.register(PropertyRightsUnit)
class PropertyRightsUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "status", "district"]
    list_filter = ["status", "district"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["successor"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["original_name", "uploaded_by", "status", "created_at"]
    readonly_fields = ["summary", "errors"]
