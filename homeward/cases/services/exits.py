"""Every way a stay ends (离站), each with its own rules, and transfers between stations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.cases.idcard import IdNumberError, parse_id_number
from homeward.cases.models import Exit, Settlement, Stay
from homeward.cases.models.stays import CANNOT_SPEAK
from homeward.cases.services.care import _release_bed
from homeward.cases.services.common import require_case_writer
from homeward.cases.services.intake import IntakeData, intake_admit
from homeward.cases.signals import stay_ended
from homeward.common.clock import is_future
from homeward.regions.models import Division
from homeward.stations.models import Station

Kind = Exit.Kind


@dataclass
class ExitData:
    kind: str
    at: datetime | None = None
    note: str = ""
    destination_division: Division | None = None
    ticket: str = ""
    escorted: bool = False
    escort_name: str = ""
    travel_cost_yuan: Decimal | None = None
    collector_name: str = ""
    collector_relation: str = ""
    collector_id_number: str = ""
    identity_checked: bool = False
    kinship_evidence: str = ""
    to_station: Station | None = None
    to_institution: str = ""
    hospital: str = ""
    authority_informed: str = ""


def _check(stay: Stay, data: ExitData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.kind not in Kind.values:
        add("kind", _("Choose how the stay ended."))
        return errors
    at = data.at or timezone.now()
    if at < stay.admitted_at:
        add("at", _("A stay cannot end before it began."))
    if is_future(at):
        add("at", _("The time is in the future."))
    if data.kind == Kind.RETURNED_HOME:
        if data.destination_division is None:
            add("destination_division", _("Say where the person went home to."))
        if data.travel_cost_yuan is not None and data.travel_cost_yuan < 0:
            add("travel_cost_yuan", _("The cost cannot be negative."))
        if data.escorted and not data.escort_name.strip():
            add("escort_name", _("Name the escort."))
        if stay.is_minor and not data.escorted:
            add("escorted", _("A minor goes home only with an escort."))
    elif data.kind == Kind.HANDED_TO_FAMILY:
        if not data.collector_name.strip():
            add("collector_name", _("Name the person who collected them."))
        if not data.collector_relation.strip():
            add("collector_relation", _("Say how the collector is related."))
        if not data.identity_checked:
            add("identity_checked", _("Check the collector's identity document first."))
        if data.collector_id_number:
            try:
                parse_id_number(data.collector_id_number)
            except IdNumberError as exc:
                add("collector_id_number", str(exc.message))
        elif stay.is_minor:
            add("collector_id_number", _("For a minor, record the collector's ID number."))
        vulnerable = stay.is_minor or bool(CANNOT_SPEAK & set(stay.person.conditions))
        if vulnerable and data.kinship_evidence not in ("dna", "police"):
            add(
                "kinship_evidence",
                _(
                    "A minor or a person who cannot speak for themselves is handed over only "
                    "after DNA or the police confirm the family tie."
                ),
            )
    elif data.kind == Kind.TRANSFERRED:
        if data.to_station is None and not data.to_institution.strip():
            add("to_station", _("Choose the station or name the institution."))
        if data.to_station is not None and data.to_station.pk == stay.station_id:
            add("to_station", _("A stay cannot be transferred to its own station."))
    elif data.kind == Kind.PLACED:
        if not data.to_institution.strip():
            add("to_institution", _("Name the institution the person is placed with."))
    elif data.kind == Kind.HOSPITAL:
        if not data.hospital.strip():
            add("hospital", _("Name the hospital."))
    elif data.kind == Kind.LEFT:
        if stay.is_minor:
            add("kind", _("A minor cannot leave on their own: record an escape as an incident."))
    elif data.kind == Kind.DIED and not data.authority_informed.strip():
        add("authority_informed", _("Name the authority that was informed."))
    return errors


# Which fields each kind keeps; the rest are cleared so figures never read stale values.
_FIELDS = {
    Kind.RETURNED_HOME: {
        "destination_division",
        "ticket",
        "escorted",
        "escort_name",
        "travel_cost_yuan",
    },
    Kind.HANDED_TO_FAMILY: {
        "collector_name",
        "collector_relation",
        "collector_id_number",
        "identity_checked",
        "kinship_evidence",
    },
    Kind.TRANSFERRED: {"to_station", "to_institution"},
    Kind.PLACED: {"to_institution"},
    Kind.HOSPITAL: {"hospital"},
    Kind.LEFT: set(),
    Kind.DIED: {"authority_informed"},
}


@transaction.atomic
def stay_exit(*, stay: Stay, data: ExitData, by: User | None) -> Exit:
    """End a stay: the bed is freed and the belongings are given back, in one step.

    Raises ValidationError naming the fields; on error the stay is untouched.
    """
    stay = Stay.objects.select_for_update().select_related("station", "person").get(pk=stay.pk)
    require_case_writer(by, stay.station)
    if stay.status != Stay.Status.IN_STATION:
        raise ValidationError({"kind": _("This stay has already ended.")})
    errors = _check(stay, data)
    if errors:
        raise ValidationError(errors)
    at = data.at or timezone.now()
    kept = _FIELDS[data.kind]
    values = {
        name: getattr(data, name)
        for name in (
            "destination_division",
            "ticket",
            "escorted",
            "escort_name",
            "travel_cost_yuan",
            "collector_name",
            "collector_relation",
            "collector_id_number",
            "identity_checked",
            "kinship_evidence",
            "to_station",
            "to_institution",
            "hospital",
            "authority_informed",
        )
        if name in kept
    }
    if "collector_id_number" in values and values["collector_id_number"]:
        values["collector_id_number"] = parse_id_number(values["collector_id_number"]).number
    exit_ = Exit.objects.create(
        stay=stay, kind=data.kind, at=at, recorded_by=by, note=data.note.strip(), **values
    )
    _release_bed(stay, at)
    stay.belongings.filter(returned_at__isnull=True).update(returned_at=at)
    stay.status = Stay.Status.EXITED
    stay.exited_at = at
    stay.save(update_fields=["status", "exited_at", "updated_at"])
    if data.kind == Kind.PLACED:
        settlement, _created = Settlement.objects.get_or_create(
            person=stay.person, defaults={"station": stay.station}
        )
        settlement.institution = data.to_institution.strip()
        settlement.placed_on = timezone.localdate(at)
        settlement.save()
    audit_record(actor=by, action="update", obj=stay, detail={"exit": data.kind})
    transaction.on_commit(lambda: stay_ended.send(sender=Stay, stay=stay))
    return exit_


@transaction.atomic
def transfer_receive(*, exit_: Exit, by: User | None) -> Stay:
    """The receiving station takes in a person transferred to it: a new stay, same person."""
    exit_ = (
        Exit.objects.select_for_update(of=("self",))
        .select_related("stay__person", "to_station")
        .get(pk=exit_.pk)
    )
    if exit_.kind != Kind.TRANSFERRED or exit_.to_station is None:
        raise ValidationError({"exit": _("This is not a transfer to a station.")})
    if exit_.received_stay_id is not None:
        raise ValidationError({"exit": _("This transfer has already been received.")})
    old = exit_.stay
    stay = intake_admit(
        station=exit_.to_station,
        data=IntakeData(
            brought_by=Stay.BroughtBy.TRANSFER,
            referring_unit=old.station.name,
            name=old.person.name,
            name_source=old.person.name_source,
            age_estimate_min=old.age_estimate_min,
            age_estimate_max=old.age_estimate_max,
            found_division=old.found_division,
            found_address=old.found_address,
            found_at=old.found_at,
            found_precision=old.found_precision,
            left_behind_child=old.left_behind_child,
            child_in_plight=old.child_in_plight,
            guardian_name=old.guardian_name,
            guardian_relation=old.guardian_relation,
            guardian_phone=old.guardian_phone,
        ),
        by=by,
        person=old.person,
        transferred_from=old,
    )
    exit_.received_stay = stay
    exit_.save(update_fields=["received_stay"])
    return stay


@transaction.atomic
def settlement_update(*, stay: Stay, by: User | None, **steps) -> Settlement:
    """Record steps of placement and household registration (先安置、后落户) for the person of
    `stay`. The record is made by the first save, never by reading a page, and belongs to
    the station of the stay it is saved from: a person transferred on takes their
    settlement to the station now caring for them."""
    require_case_writer(by, stay.station)
    unknown = set(steps) - set(Settlement.STEPS) - {"institution"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown step.")})
    settlement = Settlement.objects.select_for_update().filter(person=stay.person).first()
    settlement = settlement or Settlement(person=stay.person)
    settlement.station = stay.station
    for name, value in steps.items():
        setattr(settlement, name, value)
    if settlement.hukou_registered_on and not settlement.placed_on:
        raise ValidationError({"hukou_registered_on": _("Place the person first, then register.")})
    if (
        settlement.hukou_registered_on
        and settlement.placed_on
        and settlement.hukou_registered_on < settlement.placed_on
    ):
        raise ValidationError({"hukou_registered_on": _("Registration cannot precede placement.")})
    settlement.save()
    audit_record(actor=by, action="update", obj=settlement, station_id=settlement.station_id)
    return settlement
