"""The organisation tree is kept by system administrators in the admin."""

from django.contrib import admin

from org.models import Community, District, StreetOffice


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "code_edition"]


@admin.register(StreetOffice)
class StreetOfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "district"]
    list_filter = ["district"]
    search_fields = ["name", "code"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "street"]
    list_filter = ["street"]
    search_fields = ["name", "code"]
