from django.contrib import admin

from complaints.models import CalendarDay, Category, ReplyTemplate


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "accept_days", "resolve_days", "remind_days", "active", "sort"]
    list_editable = ["accept_days", "resolve_days", "remind_days", "active", "sort"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "category"]
    list_filter = ["category"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
