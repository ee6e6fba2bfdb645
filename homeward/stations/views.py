from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.accounts.audit import audit_list, audit_record
from homeward.accounts.selectors import scoped_get
from homeward.stations.models import Station
from homeward.stations.selectors import (
    station_occupancy,
    station_rooms,
    stations_visible,
    stations_with_occupancy,
)


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    stations = stations_with_occupancy(stations_visible(request.user))
    audit_record(actor=request.user, action="list", object_type="stations.station", request=request)
    return render(request, "stations/station_list.html", {"stations": stations})


@login_required
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = scoped_get(
        request.user,
        Station.objects.select_related("division"),
        request=request,
        station_field="",
        pk=pk,
    )
    from homeward.accounts.permissions import VIEW_MINOR_DETAILS
    from homeward.cases.selectors import bed_occupants

    occupants = bed_occupants(request.user, station)
    rooms = station_rooms(station)
    sees_minors = request.user.has_perm(VIEW_MINOR_DETAILS)
    for room in rooms:
        for bed in room.beds.all():
            bed.stay = occupants.get(bed.pk)
            bed.named = bed.stay is not None and (not bed.stay.is_minor or sees_minors)
    if occupants:  # people's names are shown: a read of their records
        audit_list(request, "stations.beds", shown=len(occupants))
    return render(
        request,
        "stations/station_detail.html",
        {
            "station": station,
            "occupancy": station_occupancy(station),
            "rooms": rooms,
            "names": bool(occupants),
        },
    )
