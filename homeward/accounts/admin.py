from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from homeward.accounts.models import ApiToken, AuditEvent, User


@admin.register(User)
class HomewardUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "station", "division", "is_active")
    list_filter = ("role", "is_active", "station")
    search_fields = ("username", "display_name", "email", "phone")
    autocomplete_fields = ("division",)
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "station", "division", "display_name", "phone")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "station", "division", "display_name")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    # A token belongs to the user it was made for: it can never be moved to another.
    readonly_fields = ("user", "prefix", "digest", "scopes", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        # Tokens are made by accounts.services.api_token_create, which shows the secret once.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "actor_name",
        "action",
        "object_type",
        "object_label",
        "station",
        "ip_address",
    )
    list_filter = ("action", "object_type", "via")
    search_fields = ("actor_name", "object_id", "object_label")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
