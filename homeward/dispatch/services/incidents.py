"""An incident from report to outcome: open, triage, merge, dispatch, on scene, resolve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import Role, User
from homeward.common.images import clean_or_errors
from homeward.dispatch.models import (
    URGENCY_RANK,
    Channel,
    Incident,
    IncidentEvent,
    IntakeDraft,
    JointParty,
    Outcome,
    Partner,
    Supply,
    SupplyHandout,
    Team,
    Urgency,
)
from homeward.dispatch.services.common import (
    event_add,
    require_dispatcher,
    require_dispatcher_or_team,
)
from homeward.dispatch.services.notify import outcome_notify
from homeward.regions.geo import great_circle_km
from homeward.regions.models import Division
from homeward.regions.selectors import address_parse
from homeward.stations.models import Station

# Reports this close in space and time are taken to be about the same person.
DUPLICATE_KM = 0.3
DUPLICATE_HOURS = 3


@dataclass
class Report:
    """What any channel tells us about a person in distress."""

    channel: str
    description: str
    address: str = ""
    division: Division | None = None
    latitude: float | None = None
    longitude: float | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    people_count: int = 1
    minor: bool = False
    elderly: bool = False
    ill: bool = False
    extreme_weather: bool = False
    urgency: str = Urgency.NORMAL
    external_ref: str = ""
    received_at: datetime | None = None
    supplies: list[tuple[str, int]] = field(default_factory=list)


def triage(*, urgency: str, minor: bool, elderly: bool, ill: bool, extreme_weather: bool) -> str:
    """The urgency to work to: one risk (minor, elderly, ill, extreme weather) makes it at
    least high, two or more critical; with none, the reporter's urgency stands (low too).
    """
    risks = sum([minor, elderly, ill, extreme_weather])
    floor = (Urgency.LOW, Urgency.HIGH, Urgency.CRITICAL)[min(risks, 2)]
    return max(urgency, floor, key=URGENCY_RANK.__getitem__)


def _check(report: Report) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if report.channel not in Channel.values:
        errors["channel"] = [_("Choose the channel the report came from.")]
    if not report.description.strip():
        errors["description"] = [_("Say what the reporter saw.")]
    if report.latitude is None and not report.address.strip() and report.division is None:
        errors["address"] = [_("Give an address, a division or a point on the map.")]
    if (report.latitude is None) != (report.longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if report.urgency not in Urgency.values:
        errors["urgency"] = [_("Choose an urgency.")]
    if report.people_count < 1:
        errors["people_count"] = [_("At least one person.")]
    return errors


def _duplicate_of(incident: Incident) -> Incident | None:
    """An open report nearby in the last hours, about the same person, if there is one."""
    since = incident.received_at - timedelta(hours=DUPLICATE_HOURS)
    nearby = Incident.objects.filter(
        station=incident.station, status__in=Incident.OPEN, received_at__gte=since
    ).exclude(pk=incident.pk)
    point = incident.point
    for other in nearby.order_by("received_at"):
        if point and other.point and great_circle_km(point, other.point) <= DUPLICATE_KM:
            return other
        if not point and incident.address and other.address.strip() == incident.address.strip():
            return other
    return None


def _in_campaign(division: Division | None, at: datetime) -> bool:
    if division is None:
        return False
    from homeward.campaigns.selectors import campaigns_active_in

    return campaigns_active_in(division, at).exists()


@transaction.atomic
def incident_open(
    *,
    station: Station,
    report: Report,
    by: User | None,
    partner: Partner | None = None,
    photo: UploadedFile | None = None,
) -> Incident:
    """Record a report (any channel), triage it, and merge it into an open duplicate nearby.

    A merged report is kept (status "merged", pointing at the first one), so its
    reporter still gets the outcome back; the first report takes the higher urgency.
    """
    if by is not None and by.is_authenticated and partner is None:
        # Staff report for their own station; the public and partners come in anonymously.
        if by.role == Role.STREET_TEAM and not by.is_superuser:
            if by.station_id != station.pk:
                raise PermissionDenied(_("Only this station's staff can do this."))
        else:
            require_dispatcher(by, station)
    errors = _check(report)
    clean = clean_or_errors(photo, errors, "photo")
    if errors:
        raise ValidationError(errors)
    division = report.division
    if division is None and report.address.strip():
        division = address_parse(report.address).division
    received_at = report.received_at or timezone.now()
    extreme = report.extreme_weather or _in_campaign(division, received_at)
    incident = Incident(
        station=station,
        channel=report.channel,
        partner=partner,
        external_ref=report.external_ref,
        reporter_name=report.reporter_name.strip(),
        reporter_phone=report.reporter_phone.strip(),
        description=report.description.strip(),
        address=report.address.strip(),
        division=division,
        latitude=report.latitude,
        longitude=report.longitude,
        people_count=report.people_count,
        minor=report.minor,
        elderly=report.elderly,
        ill=report.ill,
        extreme_weather=extreme,
        urgency=triage(
            urgency=report.urgency,
            minor=report.minor,
            elderly=report.elderly,
            ill=report.ill,
            extreme_weather=extreme,
        ),
        received_at=received_at,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    if clean is not None:
        incident.photo = clean.as_file()
    incident.full_clean()
    incident.save()
    event_add(incident, IncidentEvent.Kind.RECEIVED, by=by, note=incident.get_channel_display())
    audit_record(actor=by, action="create", obj=incident, via="api" if partner else None)
    original = _duplicate_of(incident)
    if original is not None:
        _merge(original=original, duplicate=incident, by=by)
    return incident


def _merge(*, original: Incident, duplicate: Incident, by: User | None) -> None:
    duplicate.status = Incident.Status.MERGED
    duplicate.merged_into = original
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    changed = ["updated_at"]
    for flag in ("minor", "elderly", "ill", "extreme_weather"):
        if getattr(duplicate, flag) and not getattr(original, flag):
            setattr(original, flag, True)
            changed.append(flag)
    if URGENCY_RANK[duplicate.urgency] > URGENCY_RANK[original.urgency]:
        original.urgency = duplicate.urgency
        changed.append("urgency")
        event_add(original, IncidentEvent.Kind.ESCALATED, by=by, note=original.urgency)
    original.save(update_fields=changed)
    event_add(
        original,
        IncidentEvent.Kind.MERGED,
        by=by,
        note=_("Report #%(id)s (%(channel)s) merged")
        % {"id": duplicate.pk, "channel": duplicate.get_channel_display()},
    )
    audit_record(actor=by, action="update", obj=original, detail={"merged": duplicate.pk})


@transaction.atomic
def incident_dispatch(*, incident: Incident, team: Team, by: User) -> Incident:
    """Send a team (the proposed one or another the dispatcher picks); resending frees the first."""
    require_dispatcher(by, incident.station)
    incident.refresh_from_db(from_queryset=Incident.objects.select_for_update())
    team.refresh_from_db(from_queryset=Team.objects.select_for_update())
    if incident.status not in (Incident.Status.RECEIVED, Incident.Status.DISPATCHED):
        raise ValidationError({"team": _("Only a report not yet reached can be dispatched.")})
    if team.station_id != incident.station_id:
        raise ValidationError({"team": _("The team belongs to another station.")})
    if team.status != Team.Status.AVAILABLE and team.pk != incident.team_id:
        raise ValidationError({"team": _("This team is not available.")})
    if incident.team_id and incident.team_id != team.pk:
        Team.objects.filter(pk=incident.team_id).update(status=Team.Status.AVAILABLE)
    now = timezone.now()
    incident.team = team
    incident.status = Incident.Status.DISPATCHED
    incident.dispatched_at = now
    incident.save(update_fields=["team", "status", "dispatched_at", "updated_at"])
    team.status = Team.Status.BUSY
    team.save(update_fields=["status", "updated_at"])
    event_add(incident, IncidentEvent.Kind.DISPATCHED, by=by, team=team, note=team.name, at=now)
    audit_record(actor=by, action="update", obj=incident, detail={"dispatched": team.pk})
    return incident


@transaction.atomic
def incident_on_scene(*, incident: Incident, by: User) -> Incident:
    incident.refresh_from_db(from_queryset=Incident.objects.select_for_update())
    require_dispatcher_or_team(by, incident)
    if incident.status != Incident.Status.DISPATCHED:
        raise ValidationError({"status": _("Only a dispatched team can arrive on scene.")})
    now = timezone.now()
    incident.status = Incident.Status.ON_SCENE
    incident.on_scene_at = now
    incident.save(update_fields=["status", "on_scene_at", "updated_at"])
    event_add(incident, IncidentEvent.Kind.ON_SCENE, by=by, team=incident.team, at=now)
    audit_record(actor=by, action="update", obj=incident, detail={"status": "on_scene"})
    return incident


@transaction.atomic
def incident_resolve(
    *,
    incident: Incident,
    outcome: str,
    note: str,
    by: User,
    station: Station | None = None,
    supplies: Sequence[tuple[str, int]] = (),
) -> Incident:
    """Close an incident with its outcome; the reporter's channel is told.

    "Brought to a station" leaves an intake draft at that station (by default the
    incident's own) with what the team saw; supplies handed out are logged.
    """
    incident.refresh_from_db(from_queryset=Incident.objects.select_for_update())
    require_dispatcher_or_team(by, incident)
    if incident.status not in Incident.OPEN:
        raise ValidationError({"outcome": _("This report is already closed.")})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if outcome == Outcome.BROUGHT_TO_STATION and not note.strip():
        raise ValidationError({"note": _("Say what the team saw, for the intake desk.")})
    for kind, quantity in supplies:
        if kind not in Supply.values or quantity < 1:
            raise ValidationError({"supplies": _("Each supply needs a kind and a quantity.")})
    now = timezone.now()
    incident.status = Incident.Status.RESOLVED
    incident.outcome = outcome
    incident.outcome_note = note.strip()
    incident.resolved_at = now
    incident.save(update_fields=["status", "outcome", "outcome_note", "resolved_at", "updated_at"])
    if incident.team_id:
        Team.objects.filter(pk=incident.team_id).update(status=Team.Status.AVAILABLE)
    for kind, quantity in supplies:
        supply_hand_out(
            station=incident.station,
            kind=kind,
            quantity=quantity,
            by=by,
            incident=incident,
            division=incident.division,
        )
    if outcome == Outcome.BROUGHT_TO_STATION:
        IntakeDraft.objects.create(
            incident=incident,
            station=station or incident.station,
            team=incident.team,
            notes=incident.outcome_note,
            found_at=incident.on_scene_at or incident.received_at,
            found_address=incident.address,
            found_division=incident.division,
            found_latitude=incident.latitude,
            found_longitude=incident.longitude,
        )
    event_add(
        incident,
        IncidentEvent.Kind.RESOLVED,
        by=by,
        team=incident.team,
        note=incident.get_outcome_display(),
        at=now,
    )
    audit_record(actor=by, action="update", obj=incident, detail={"outcome": outcome})
    outcome_notify(incident)
    return incident


@transaction.atomic
def party_add(
    *, incident: Incident, department: str, unit: str, by: User, contact: str = "", role: str = ""
) -> JointParty:
    """Record a department taking part in a joint action (联动处置)."""
    require_dispatcher_or_team(by, incident)
    party = JointParty(
        incident=incident,
        department=department,
        unit=unit.strip(),
        contact=contact.strip(),
        role=role.strip(),
        added_by=by,
    )
    party.full_clean()
    party.save()
    event_add(
        incident,
        IncidentEvent.Kind.PARTY,
        by=by,
        note=f"{party.get_department_display()}: {party.unit}",
    )
    audit_record(actor=by, action="update", obj=incident, detail={"party": party.pk})
    return party


@transaction.atomic
def supply_hand_out(
    *,
    station: Station,
    kind: str,
    quantity: int,
    by: User | None,
    incident: Incident | None = None,
    division: Division | None = None,
) -> SupplyHandout:
    """Log supplies handed out in the street (counted by campaigns)."""
    handout = SupplyHandout(
        station=station,
        kind=kind,
        quantity=quantity,
        by=by,
        incident=incident,
        division=division or station.division,
    )
    handout.full_clean()
    handout.save()
    audit_record(actor=by, action="create", obj=handout, station_id=station.pk)
    return handout


@transaction.atomic
def intake_draft_admitted(*, draft: IntakeDraft, stay, by: User) -> IntakeDraft:
    """The desk registered the person from this draft: it now points at the stay."""
    if draft.state != IntakeDraft.State.OPEN or stay.station_id != draft.station_id:
        return draft
    draft.state = IntakeDraft.State.ADMITTED
    draft.stay = stay
    draft.save(update_fields=["state", "stay"])
    audit_record(actor=by, action="update", obj=draft, station_id=draft.station_id)
    return draft
