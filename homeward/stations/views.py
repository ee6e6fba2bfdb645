from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.accounts.audit import audit_record
from homeward.accounts.selectors import scoped_get, stations_visible
from homeward.stations.models import Station
from homeward.stations.selectors import station_occupancy, station_rooms, stations_with_occupancy


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
    return render(
        request,
        "stations/station_detail.html",
        {
            "station": station,
            "occupancy": station_occupancy(station),
            "rooms": station_rooms(station),
        },
    )
