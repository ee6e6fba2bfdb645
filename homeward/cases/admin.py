from django.contrib import admin

from homeward.accounts.audit import audit_record
from homeward.cases.models import Exit, Person, PersonMerge, Stay


class AuditedAdmin(admin.ModelAdmin):
    """The admin reads people's records too: each record opened and each list shown is
    on the audit trail, as in the staff pages."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is not None:
            audit_record(actor=request.user, action="view", obj=obj, request=request, via="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        audit_record(
            actor=request.user,
            action="list",
            object_type=self.model._meta.label_lower,
            label=request.get_full_path()[:200],
            request=request,
            via="admin",
        )
        return super().changelist_view(request, extra_context)


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("pk", "name", "sex", "birth_date", "merged_into", "created_at")
    search_fields = ("name",)  # the ID number is encrypted: the desk looks it up
    raw_id_fields = ("merged_into", "dialect_division", "home_division")


@admin.register(Stay)
class StayAdmin(AuditedAdmin):
    list_display = ("number", "person", "station", "status", "admitted_at", "exited_at")
    list_filter = ("status", "station", "brought_by", "is_minor")
    raw_id_fields = ("person", "found_division", "transferred_from")
    search_fields = ("number", "person__name")


@admin.register(Exit)
class ExitAdmin(AuditedAdmin):
    list_display = ("stay", "kind", "at")
    list_filter = ("kind",)
    raw_id_fields = ("stay", "destination_division", "received_stay")


admin.site.register(PersonMerge)
