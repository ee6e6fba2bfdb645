from django.contrib import admin

from homeward.stations.models import Bed, Room, Station


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "division", "phone_24h", "bed_capacity", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "address")
    autocomplete_fields = ("division",)
    inlines = [RoomInline]


@admin.register(Bed)
class BedAdmin(admin.ModelAdmin):
    list_display = ("__str__", "state")
    list_filter = ("state", "room__station")
