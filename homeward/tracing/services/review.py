"""The review queue's actions, and reunions completed by a second officer."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.cases.idcard import IdNumberError, parse_id_number
from homeward.cases.models import Stay
from homeward.cases.services import ExitData, person_identified, stay_exit
from homeward.tracing.models import (
    Candidate,
    FaceVector,
    InquiryTask,
    MissingReport,
    ReportChange,
    ReportUpdate,
    Reunion,
)
from homeward.tracing.services.common import require_tracer
from homeward.tracing.services.notices import notice_withdraw

OPEN = (Candidate.Status.OPEN, Candidate.Status.INQUIRY)


def _decide(candidate: Candidate, by: User) -> Candidate:
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    require_tracer(by, candidate.station)
    if candidate.status not in OPEN:
        raise ValidationError({"status": _("This candidate has already been decided.")})
    return candidate


@transaction.atomic
def candidate_reject(*, candidate: Candidate, kind: str, reason: str = "", by: User) -> Candidate:
    """Not the same person: the pair is excluded from every later search.

    `kind` says why (counted in the figures); `reason` adds the detail, and is needed when
    the kind is "another reason".
    """
    candidate = _decide(candidate, by)
    _check_rejection(kind, reason)
    candidate.status = Candidate.Status.REJECTED
    candidate.reject_kind = kind
    candidate.reject_reason = reason.strip()
    candidate.reviewed_by = by
    candidate.reviewed_at = timezone.now()
    candidate.save()
    audit_record(
        actor=by,
        action="update",
        obj=candidate,
        station_id=candidate.station_id,
        detail={"rejected": kind, "reason": reason.strip()},
    )
    return candidate


def _check_rejection(kind: str, reason: str) -> None:
    errors = {}
    if kind not in Candidate.RejectKind.values:
        errors["kind"] = [_("Choose why this is not the same person.")]
    elif kind == Candidate.RejectKind.OTHER and not reason.strip():
        errors["reason"] = [_("Say why this is not the same person.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def candidates_reject(
    *, candidates: list[Candidate], kind: str, reason: str = "", by: User
) -> list[Candidate]:
    """Reject several candidates at once with one reason (the queue's bulk action): all or
    none, each checked as one rejection is."""
    if not candidates:
        raise ValidationError({"chosen": _("Choose the candidates to reject.")})
    _check_rejection(kind, reason)
    return [candidate_reject(candidate=c, kind=kind, reason=reason, by=by) for c in candidates]


@transaction.atomic
def candidate_inquire(
    *, candidate: Candidate, kind: str, note: str, by: User, due_on: date | None = None
) -> InquiryTask:
    """Ask for an inquiry: phone the family, ask the person, request DNA. It is due on
    `due_on`, or after the usual time for its kind (InquiryTask.DUE_DAYS)."""
    candidate = _decide(candidate, by)
    errors = {}
    if kind not in InquiryTask.Kind.values:
        errors["kind"] = [_("Choose what should be done.")]
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        errors["due_on"] = [_("The day it is due cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    due_on = due_on or today + timedelta(days=InquiryTask.DUE_DAYS.get(kind, 7))
    task = InquiryTask.objects.create(
        candidate=candidate, kind=kind, note=note.strip(), created_by=by, due_on=due_on
    )
    candidate.status = Candidate.Status.INQUIRY
    candidate.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="create", obj=task, station_id=candidate.station_id)
    return task


@transaction.atomic
def inquiry_done(*, task: InquiryTask, result: str, by: User) -> InquiryTask:
    require_tracer(by, task.candidate.station)
    if not result.strip():
        raise ValidationError({"result": _("Write what the inquiry found.")})
    task.result = result.strip()
    task.done_at = timezone.now()
    task.save(update_fields=["result", "done_at"])
    audit_record(actor=by, action="update", obj=task, station_id=task.candidate.station_id)
    return task


def suggested_channel(candidate: Candidate) -> str:
    """The evidence that weighs most for this pair: what the confirm form offers first."""
    parts = {
        Reunion.Channel.DNA: candidate.log10_dna,
        Reunion.Channel.FACE: candidate.log10_face,
        Reunion.Channel.ATTRIBUTES: candidate.log10_attributes,
    }
    present = {k: v for k, v in parts.items() if v is not None}
    return max(present, key=present.get) if present else Reunion.Channel.ATTRIBUTES


@transaction.atomic
def candidate_confirm(*, candidate: Candidate, by: User, channel: str) -> Reunion:
    """The same person: a reunion opens. Another officer completes it.

    `channel` is what decided it, as the officer says (never guessed here: the figures
    count reunions by it)."""
    candidate = _decide(candidate, by)
    stay = (
        candidate.person.stays.filter(status=Stay.Status.IN_STATION)
        .order_by("-admitted_at")
        .first()
    )
    if stay is None:
        raise ValidationError({"status": _("The person is no longer in a station.")})
    if channel not in Reunion.Channel.values:
        raise ValidationError(
            {"channel": _("Say what decided it: face, DNA, information, a tip, the police.")}
        )
    candidate.status = Candidate.Status.CONFIRMED
    candidate.reviewed_by = by
    candidate.reviewed_at = timezone.now()
    candidate.save()
    reunion = Reunion.objects.create(
        candidate=candidate, stay=stay, channel=channel, confirmed_by=by
    )
    audit_record(actor=by, action="create", obj=reunion, station_id=candidate.station_id)
    return reunion


@transaction.atomic
def reunion_complete(
    *,
    reunion: Reunion,
    by: User,
    claimant_name: str,
    claimant_relation: str,
    claimant_id_number: str,
    identity_checked: bool,
    kinship_evidence: str = "",
) -> Reunion:
    """Hand the person to the family who reported them, after the checks.

    The claimant must be the report's contact or a listed relative, with an ID
    checked; DNA or police confirmation where the person is a minor or cannot
    speak for themselves (the exit rule enforces it); never the officer who confirmed.
    """
    reunion = (
        Reunion.objects.select_for_update()
        .select_related("candidate__report", "stay__person")
        .get(pk=reunion.pk)
    )
    require_tracer(by, reunion.candidate.station)
    errors: dict[str, list[str]] = {}
    if reunion.completed_at is not None:
        raise ValidationError({"reunion": _("This reunion is already complete.")})
    if by.pk == reunion.confirmed_by_id:
        errors["reunion"] = [_("Another officer must complete the reunion you confirmed.")]
    report = reunion.candidate.report
    known = {
        report.contact_name.strip(),
        *(r.name.strip() for r in report.relatives.all() if r.name),
    }
    if claimant_name.strip() not in known:
        errors["claimant_name"] = [
            _("The claimant is neither the report's contact nor a relative listed on it.")
        ]
    try:
        parse_id_number(claimant_id_number)
    except IdNumberError as exc:
        errors["claimant_id_number"] = [str(exc.message)]
    if not identity_checked:
        errors["identity_checked"] = [_("Check the claimant's identity document first.")]
    if errors:
        raise ValidationError(errors)
    stay_exit(
        stay=reunion.stay,
        by=by,
        data=ExitData(
            kind="handed_to_family",
            collector_name=claimant_name.strip(),
            collector_relation=claimant_relation.strip(),
            collector_id_number=claimant_id_number,
            identity_checked=True,
            kinship_evidence=kinship_evidence,
        ),
    )
    now = timezone.now()
    reunion.claimant_name = claimant_name.strip()
    reunion.claimant_relation = claimant_relation.strip()
    reunion.claimant_id_number = parse_id_number(claimant_id_number).number
    reunion.identity_checked = True
    reunion.kinship_evidence = kinship_evidence
    reunion.completed_by = by
    reunion.completed_at = now
    reunion.save()
    MissingReport.objects.filter(pk=report.pk).update(
        status=MissingReport.Status.REUNITED, updated_at=now
    )
    ReportChange.objects.create(report_id=report.pk)  # no signal: the matcher's log, by hand
    ReportUpdate.objects.create(report=report, kind=ReportUpdate.Kind.REUNITED, by=by, at=now)
    notice_withdraw(stay=reunion.stay, now=now)
    # Who they are is known now: the record takes the name the family gave.
    person_identified(
        person=reunion.stay.person,
        name=report.name,
        home_division=report.home_division,
        by=by,
        source=_("reunion with %(claimant)s") % {"claimant": reunion.claimant_name},
    )
    # The report's person is found: no other person is them.
    candidates_close(report=report, reason=_("The reported person was found and reunited."), by=by)
    audit_record(
        actor=by,
        action="update",
        obj=reunion,
        station_id=reunion.candidate.station_id,
        detail={"completed": True},
    )
    return reunion


UNDECIDED = (Candidate.Status.OPEN, Candidate.Status.INQUIRY)


def candidates_close(*, person=None, report=None, reason: str, by: User | None = None) -> int:
    """Close the undecided candidates of a person who left, or of a report whose person was
    found, with the reason; they leave the review queue. Returns how many were closed."""
    undecided = Candidate.objects.filter(status__in=UNDECIDED)
    if person is not None:
        undecided = undecided.filter(person=person)
    if report is not None:
        undecided = undecided.filter(report=report)
    closing = list(undecided.values_list("pk", "station_id"))
    undecided.update(status=Candidate.Status.CLOSED, reject_reason=reason[:200])
    for pk, station_id in closing:
        audit_record(
            actor=by,
            action="update",
            object_type="tracing.candidate",
            object_id=str(pk),
            station_id=station_id,
            detail={"closed": reason[:200]},
        )
    return len(closing)


def candidates_follow_merge(*, kept, merged, by: User | None = None) -> int:
    """A merge: the merged record's undecided candidates move to the kept record, and its
    faces with them. A report the kept record already has a candidate for keeps that one;
    the merged record's duplicate is closed. Decided candidates stay where they were
    decided (history). Returns how many moved."""
    FaceVector.objects.filter(kind=FaceVector.Kind.FOUND, person=merged).update(person=kept)
    undecided = Candidate.objects.filter(person=merged, status__in=UNDECIDED)
    have = set(Candidate.objects.filter(person=kept).values_list("report_id", flat=True))
    moved = 0
    for candidate in undecided:
        if candidate.report_id in have:
            reason = _("Merged into the record of %(person)s.") % {"person": kept}
            candidates_close(person=merged, report=candidate.report, reason=reason, by=by)
            continue
        candidate.person = kept
        candidate.save(update_fields=["person"])
        audit_record(
            actor=by,
            action="update",
            obj=candidate,
            station_id=candidate.station_id,
            detail={"moved_from_person": merged.pk},
        )
        moved += 1
    return moved


def faces_follow_unmerge(*, merged) -> int:
    """An undone merge: the faces of the photos that went back go back too."""
    return FaceVector.objects.filter(
        kind=FaceVector.Kind.FOUND, person_photo__person=merged
    ).update(person=merged)
