from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "district", "street", "community", "is_active"]
    list_filter = ["role", "is_active", "district", "street"]
    fieldsets = UserAdmin.fieldsets + (
        (_("角色与所属单位"), {"fields": ["role", "district", "street", "community", "phone"]}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        (_("角色与所属单位"), {"fields": ["role", "district", "street", "community"]}),
    )
