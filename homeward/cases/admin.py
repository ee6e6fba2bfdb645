from django.contrib import admin

from homeward.cases.models import Exit, Person, PersonMerge, Stay


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("pk", "name", "sex", "birth_date", "merged_into", "created_at")
    search_fields = ("name", "id_number")
    raw_id_fields = ("merged_into", "dialect_division", "home_division")


@admin.register(Stay)
class StayAdmin(admin.ModelAdmin):
    list_display = ("number", "person", "station", "status", "admitted_at", "exited_at")
    list_filter = ("status", "station", "brought_by", "is_minor")
    raw_id_fields = ("person", "found_division", "transferred_from")
    search_fields = ("number", "person__name")


@admin.register(Exit)
class ExitAdmin(admin.ModelAdmin):
    list_display = ("stay", "kind", "at")
    list_filter = ("kind",)
    raw_id_fields = ("stay", "destination_division", "received_stay")


admin.site.register(PersonMerge)
