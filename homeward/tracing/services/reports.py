"""Missing reports: filing (by a family or by staff), verification, photos, relatives' DNA."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import Role, User
from homeward.cases.models import CONDITIONS
from homeward.cases.models.vocabulary import invalid_marks, mark_notes_of, normalise_mark
from homeward.common.clock import is_future
from homeward.common.crypto import keyed_hash, phone_digits
from homeward.common.images import clean_or_errors
from homeward.regions.models import Division
from homeward.tracing.models import MissingReport, Relative, ReportPhoto
from homeward.tracing.services.common import REPORT_TAKERS, require_tracer


@dataclass
class ReportData:
    name: str
    sex: str
    contact_name: str
    contact_relation: str
    contact_phone: str
    contact_email: str = ""
    aliases: list[str] = field(default_factory=list)
    birth_date: date | None = None
    birth_precision: str = "day"
    home_division: Division | None = None
    lost_date: date | None = None
    lost_at: datetime | None = None
    lost_division: Division | None = None
    lost_address: str = ""
    lost_point: tuple[float, float] | None = None
    height_cm: int | None = None
    marks: list[str] = field(default_factory=list)
    mark_notes: dict[str, str] = field(default_factory=dict)  # {code: what it looks like}
    conditions: list[str] = field(default_factory=list)
    description: str = ""
    # The family agrees that an urgent alert may name the missing person (see MissingReport).
    publish_consent: bool = False


def _check(data: ReportData, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.name.strip():
        add("name", _("Give the missing person's name."))
    if data.sex not in ("M", "F", "U"):
        add("sex", _("Choose the sex."))
    if not data.contact_name.strip():
        add("contact_name", _("Give your name, so the station can reach you."))
    if not data.contact_relation.strip():
        add("contact_relation", _("Say how you are related to the missing person."))
    digits = "".join(c for c in data.contact_phone if c.isdigit())
    if not 7 <= len(digits) <= 15:
        add("contact_phone", _("Give a telephone number the station can call."))
    if data.birth_date and data.birth_date > today:
        add("birth_date", _("The birth date is in the future."))
    if data.lost_at and is_future(data.lost_at):
        add("lost_at", _("The time lost is in the future."))
    if data.lost_date and data.lost_date > today:
        add("lost_date", _("The date lost is in the future."))
    if data.birth_date and data.lost_date and data.lost_date < data.birth_date:
        add("lost_date", _("The date lost is before the birth date."))
    if data.height_cm is not None and not 40 <= data.height_cm <= 230:
        add("height_cm", _("Height must be between 40 and 230 cm."))
    if invalid_marks([normalise_mark(m) for m in data.marks]):
        add("marks", _("Unknown marks."))
    if any(c not in CONDITIONS for c in data.conditions):
        add("conditions", _("Unknown conditions."))
    return errors


def duplicate_reports(data: ReportData, *, exclude: int | None = None) -> QuerySet[MissingReport]:
    """Reports that may be the same missing person: advisory, never blocking (查重)."""
    same_person = Q(name=data.name.strip(), sex__in=[data.sex, "U"])
    if data.birth_date:
        same_person &= Q(birth_date__year__gte=data.birth_date.year - 2) & Q(
            birth_date__year__lte=data.birth_date.year + 2
        ) | Q(birth_date__isnull=True)
    digits = phone_digits(data.contact_phone)
    condition = same_person | (
        Q(contact_phone_digest=keyed_hash(digits)) if len(digits) >= 7 else Q(pk__in=[])
    )
    qs = MissingReport.objects.filter(condition).exclude(status=MissingReport.Status.CLOSED)
    return qs.exclude(pk=exclude) if exclude else qs


@transaction.atomic
def report_file(
    *,
    data: ReportData,
    by: User,
    photos: list[tuple[UploadedFile, int | None]] | None = None,
    relatives: list[tuple[str, str]] | None = None,
) -> MissingReport:
    """File a missing report. A family files on the portal (their phone verified first) and
    the report waits for verification; staff file for a family and verify it at once."""
    today = timezone.localdate()
    errors = _check(data, today)
    cleaned = []
    for upload, year in photos or []:
        if year is not None and not 1900 <= year <= today.year:
            errors.setdefault("photos", []).append(
                _("A photo's year must be a real year, not later than now.")
            )
        clean = clean_or_errors(upload, errors, "photos")
        if clean is not None:
            cleaned.append((clean, year))
    for relation, _name in relatives or []:
        if relation not in Relative.Relation.values:
            errors.setdefault("relatives", []).append(_("Unknown relation."))
    if errors:
        raise ValidationError(errors)
    if by.role == Role.FAMILY:
        if not by.phone_verified:
            raise PermissionDenied(_("Verify your phone number before filing a report."))
        channel, station, verified = MissingReport.Channel.PORTAL, None, False
    elif by.role in REPORT_TAKERS and by.station_id:
        channel, station, verified = MissingReport.Channel.STAFF, by.station, True
    else:
        raise PermissionDenied(_("Only families and station staff file missing reports."))
    report = report_build(
        data,
        channel=channel,
        filed_by=by,
        station=station,
        status=MissingReport.Status.VERIFIED if verified else MissingReport.Status.PENDING,
        verified_by=by if verified else None,
        verified_at=timezone.now() if verified else None,
    )
    report.full_clean()
    report.save()
    for clean, year in cleaned:
        ReportPhoto.objects.create(report=report, image=clean.as_file(), taken_year=year)
    for relation, name in relatives or []:
        Relative.objects.create(report=report, relation=relation, name=name.strip())
    audit_record(actor=by, action="create", obj=report, station_id=report.station_id)
    if verified:
        _after_change(report)
    return report


def report_build(data: ReportData, **fields) -> MissingReport:
    """An unsaved report from checked `data` (filing and imports share it)."""
    point = data.lost_point or (data.lost_division.point if data.lost_division else None)
    return MissingReport(
        name=data.name.strip(),
        aliases=[a.strip() for a in data.aliases if a.strip()],
        sex=data.sex,
        birth_date=data.birth_date,
        birth_precision=data.birth_precision,
        home_division=data.home_division,
        lost_date=data.lost_date or (timezone.localdate(data.lost_at) if data.lost_at else None),
        lost_at=data.lost_at,
        lost_division=data.lost_division,
        lost_address=data.lost_address.strip(),
        lost_latitude=point[0] if point else None,
        lost_longitude=point[1] if point else None,
        height_cm=data.height_cm,
        marks=sorted({normalise_mark(m) for m in data.marks}),
        mark_notes=mark_notes_of(data.mark_notes, sorted({normalise_mark(m) for m in data.marks})),
        conditions=sorted(set(data.conditions)),
        description=data.description.strip(),
        contact_name=data.contact_name.strip(),
        contact_relation=data.contact_relation.strip(),
        contact_phone=data.contact_phone.strip(),
        contact_email=data.contact_email.strip(),
        publish_consent=data.publish_consent,
        publish_consent_at=timezone.now() if data.publish_consent else None,
        **fields,
    )


def _after_change(report: MissingReport) -> None:
    from homeward.tracing.tasks import alerts_for_report_job, search_for_report_job

    def run() -> None:
        search_for_report_job(report.pk)  # embeds the report's new photos first
        alerts_for_report_job(report.pk)

    transaction.on_commit(run)


@transaction.atomic
def report_verify(*, report: MissingReport, by: User) -> MissingReport:
    """A station's tracing team checks a family's report: from now on it is searched."""
    require_tracer(by, by.station)
    if report.status != MissingReport.Status.PENDING:
        raise ValidationError({"status": _("Only a report awaiting verification is verified.")})
    report.status = MissingReport.Status.VERIFIED
    report.station = by.station
    report.verified_by = by
    report.verified_at = timezone.now()
    report.save(update_fields=["status", "station", "verified_by", "verified_at", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        obj=report,
        station_id=report.station_id,
        detail={"verified": True},
    )
    _after_change(report)
    return report


@transaction.atomic
def relative_set_dna(
    *,
    relative: Relative,
    status: str,
    by: User,
    profile: dict | None = None,
    lab: str = "",
    consent: str | None = None,
    consent_ref: str = "",
) -> Relative:
    """Record a relative's DNA step and consent; an entered profile is checked by the DNA
    engine first, and needs the relative's consent (a profile without one is never
    compared). `consent=None` leaves the recorded consent as it is."""
    from homeward.matching.dna.errors import DnaError
    from homeward.matching.dna.profiles import parse_profile

    require_tracer(by, relative.report.station)
    errors: dict[str, list[str]] = {}
    if status not in Relative.DnaStatus.values:
        errors["dna_status"] = [_("Unknown DNA status.")]
    if consent is not None and consent not in Relative.Consent.values:
        errors["consent"] = [_("Unknown consent.")]
    given = relative.consent if consent is None else consent
    if status == Relative.DnaStatus.ENTERED:
        if not profile:
            errors["profile"] = [_("Enter the profile.")]
        else:
            try:
                parse_profile(profile, field="profile")
            except DnaError as exc:
                errors["profile"] = [str(exc)]
        if not given:
            errors["consent"] = [
                _("Record the relative's written consent before entering the profile.")
            ]
    if errors:
        raise ValidationError(errors)
    changed_consent = given != relative.consent
    relative.dna_status = status
    relative.lab = lab.strip() or relative.lab
    relative.profile = profile if status == Relative.DnaStatus.ENTERED else relative.profile
    if changed_consent:
        relative.consent = given
        relative.consent_at = timezone.now() if given else None
    if consent_ref.strip():
        relative.consent_ref = consent_ref.strip()[:50]
    if not given and relative.profile:
        # Consent withdrawn: the profile goes at once (PIPL art. 15, 47), and a restored
        # backup will not bring it back.
        from homeward.privacy.services import consent_withdrawn

        relative.profile = None
        relative.dna_status = Relative.DnaStatus.SAMPLED
        consent_withdrawn(report=relative.report, relative=relative)
    relative.save()
    audit_record(
        actor=by,
        action="update",
        obj=relative,
        station_id=relative.report.station_id,
        detail={"dna_status": relative.dna_status, "consent": relative.consent},
    )
    if status == Relative.DnaStatus.ENTERED or changed_consent:
        _after_change(relative.report)
    return relative
