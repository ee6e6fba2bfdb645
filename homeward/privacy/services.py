"""Personal information by the law's rules: the retention table applied every day, and the
one path of erasure that a rule or a person's request goes through.

Every erasure goes through `_erase_*` below, so it reaches every place a piece of data
lives: the row's fields, the files on disk (after the commit), the matcher's tables (the
change logs `ReportChange` and `FoundChange` are written by the deletions' signals, so
every process drops the rows it keeps, its DNA and face segments included), the portal's
cached lists (`notices_changed`) and the backups (each request is written to
`BACKUP_DIR/erasures.jsonl`, which a restore replays, and the receipt says when the last
backup holding the data expires).

The audit trail is not rewritten: it is append-only in the database, the law requires it
(Cybersecurity Law art. 21), only auditors read it, and it is deleted after its own period
(rule `audit`, the one delete the database allows, in `_apply_audit`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import AuditEvent, User
from homeward.cases.models import Exit, Person, PersonPhoto, Stay
from homeward.privacy.models import Erasure
from homeward.privacy.rules import RULES
from homeward.tracing.models import (
    AlertDelivery,
    Candidate,
    FaceVector,
    FoundDna,
    MissingReport,
    Notice,
    Relative,
    ReportPhoto,
    ReportUpdate,
    Tip,
)
from homeward.tracing.services.review import UNDECIDED

ENDED = (MissingReport.Status.REUNITED, MissingReport.Status.CLOSED)
# Exits that are a reunion: the person is back with their family.
HOME = (Exit.Kind.HANDED_TO_FAMILY, Exit.Kind.RETURNED_HOME)
JOURNAL = "erasures.jsonl"
REASON_CHARS = 200


def _delete_files(names: list[str]) -> None:
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names])


# The pieces: each erases one kind of data wherever it lives, and says what went.


def _erase_report_photos(report: MissingReport) -> int:
    photos = list(ReportPhoto.objects.filter(report=report))
    _delete_files([p.image.name for p in photos])
    for photo in photos:
        photo.delete()  # its face vector goes with it; the signals log the change
    return len(photos)


def _erase_relative_dna(relatives) -> int:
    count = 0
    for relative in relatives:
        if relative.profile is not None or relative.dna_status == Relative.DnaStatus.ENTERED:
            relative.profile = None
            relative.dna_status = Relative.DnaStatus.SAMPLED
            relative.save(update_fields=["profile", "dna_status", "updated_at"])
            count += 1
    return count


def _erase_report_contact(report: MissingReport) -> list[str]:
    gone = [
        name
        for name in ("contact_name", "contact_relation", "contact_phone", "contact_email")
        if getattr(report, name)
    ]
    for name in gone:
        setattr(report, name, "")
    if gone:
        report.save(update_fields=[*gone, "updated_at"])
    return gone


def _erase_person_faces(person: Person) -> int:
    faces = list(FaceVector.objects.filter(kind=FaceVector.Kind.FOUND, person=person))
    for face in faces:
        face.delete()  # FoundChange logged by the signal: every process drops the vector
    return len(faces)


def _erase_found_dna(person: Person) -> int:
    dna = FoundDna.objects.filter(person=person).first()
    if dna is None or (dna.profile is None and dna.status != FoundDna.Status.ENTERED):
        return 0
    dna.profile = None
    dna.status = FoundDna.Status.SAMPLED
    dna.save(update_fields=["profile", "status", "updated_at"])
    return 1


def _erase_notice(notice: Notice) -> list[str]:
    """A withdrawn notice keeps its dates (the figures count notices), and loses its photo
    and every word about the person."""
    from homeward.tracing.services.notices import notice_photo_drop, notices_changed

    gone = []
    if notice.photo:
        photo = notice.photo.name
        # The crop is shared with the person's other notices (a transfer's new one): the
        # file goes when no notice names it any more.
        transaction.on_commit(lambda: notice_photo_drop(photo))
        notice.photo = ""
        gone.append("photo")
    words = (("name_said", ""), ("found_place", ""), ("marks", []), ("height_cm", None))
    for attribute, empty in words:
        if getattr(notice, attribute):
            setattr(notice, attribute, empty)
            gone.append(attribute)
    if notice.withdrawn_at is None:
        notice.withdrawn_at = timezone.now()
        gone.append("published")
    if gone:
        notice.save()
        transaction.on_commit(notices_changed)
    return gone


def _station_of(obj) -> int | None:
    if isinstance(obj, MissingReport):
        return obj.station_id
    if isinstance(obj, Relative):
        return obj.report.station_id
    if isinstance(obj, Notice):
        return obj.stay.station_id
    if isinstance(obj, Person):
        stay = obj.stays.order_by("-admitted_at").first()
        return stay.station_id if stay else None
    return None


def _record(rule: str, subject: str, obj, erased: dict, by: User | None, reason: str) -> Erasure:
    return Erasure.objects.create(
        rule=rule,
        subject=subject,
        subject_id=obj.pk,
        station_id=_station_of(obj),
        public_id=getattr(obj, "public_id", None),
        by=by,
        reason=reason[:REASON_CHARS],
        erased=erased,
    )


# Requests: a family's or a person's own data, erased as far as the law allows.


@dataclass
class Receipt:
    """What an erasure did, for the person who asked."""

    erasure: Erasure
    backups_expire_by: datetime

    @property
    def erased(self) -> dict:
        return self.erasure.erased


def backups_expire_by(now: datetime) -> datetime:
    """The day the last backup made before `now` is gone under the retention policy: the
    monthly backups are the longest kept."""
    months = max(settings.BACKUP_KEEP_MONTHLY, 0)
    weeks = max(settings.BACKUP_KEEP_WEEKLY, 0)
    days = max(settings.BACKUP_KEEP_DAILY, 0)
    return now + timedelta(days=max(31 * (months + 1), 7 * (weeks + 1), days + 1))


def _journal(subject: str, public_id, **extra) -> None:
    """The request, written beside the backups: a backup restored later holds the data
    again, and `erasures_replay` erases it once more. Registered before the erasure's other
    after-commit work, and robust: a file delete or a cache call failing must not lose it."""
    folder = Path(settings.BACKUP_DIR)
    line = {"at": timezone.now().isoformat(), "subject": subject, "public_id": str(public_id),
            **extra}  # fmt: skip

    def write() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / JOURNAL).open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

    transaction.on_commit(write, robust=True)


def consent_withdrawn(*, report: MissingReport, relative: Relative | None = None) -> None:
    """A relative withdrew consent to their DNA (`relative`), or the family its consent to
    alerts that name the missing person: journaled like an erasure, so that a restored
    backup does not compare or publish again what consent no longer covers."""
    if relative is not None:
        _journal("relative_dna", report.public_id, relative=relative.pk)
    else:
        _journal("publish_consent", report.public_id)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say who asked for the erasure, and how.")})
    return reason[:REASON_CHARS]


@transaction.atomic
def report_erase(*, report: MissingReport, by: User | None, reason: str, journal=True) -> Receipt:
    """Erase a missing report at the family's request: everything it says of the missing
    person and the family, its photos and relatives (with their DNA), the candidates still
    open and the alerts about it. What stays is the record's number, its status and dates
    (the figures count them) and, after a reunion, the station's reunion record, which
    the law requires it to keep. The report leaves every search at once."""
    from homeward.tracing.models import Reunion
    from homeward.tracing.services.review import candidates_close

    reason = _reason(reason)
    report = MissingReport.objects.select_for_update().get(pk=report.pk)
    if Reunion.objects.filter(candidate__report=report, completed_at__isnull=True).exists():
        raise ValidationError(
            {"reason": _("A reunion with this report is under way: complete it first.")}
        )
    if journal:
        _journal(Erasure.Subject.REPORT, report.public_id)
    erased: dict = {"photos": _erase_report_photos(report)}
    relatives = list(report.relatives.all())
    erased["relatives"] = len(relatives)
    for relative in relatives:
        relative.delete()
    candidates_close(report=report, reason=_("The family asked for the report to be erased."))
    open_ = Candidate.objects.filter(report=report, reunion__isnull=True)
    erased["candidates"] = open_.count()
    open_.delete()
    erased["alerts"] = AlertDelivery.objects.filter(report=report).delete()[0]
    erased["updates"] = ReportUpdate.objects.filter(report=report).exclude(text="").update(text="")
    fields = []
    for name, empty in (
        ("name", ""),
        ("aliases", []),
        ("birth_date", None),
        ("home_division", None),
        ("lost_date", None),
        ("lost_at", None),
        ("lost_division", None),
        ("lost_address", ""),
        ("lost_latitude", None),
        ("lost_longitude", None),
        ("height_cm", None),
        ("marks", []),
        ("mark_notes", {}),
        ("conditions", []),
        ("description", ""),
        ("contact_name", ""),
        ("contact_relation", ""),
        ("contact_phone", ""),
        ("contact_email", ""),
        ("origin", {}),
        ("publish_consent", False),
        ("publish_consent_at", None),
        ("filed_by", None),  # the family's account no longer leads to it
    ):
        if getattr(report, name) not in (None, "", [], {}, False):
            fields.append(name)
        setattr(report, name, empty)
    erased["fields"] = fields
    if report.status != MissingReport.Status.REUNITED:
        report.status = MissingReport.Status.CLOSED
    report.erased_at = timezone.now()
    report.save()  # logs the change: every process's report table drops the row
    erasure = _record(Erasure.REQUEST, Erasure.Subject.REPORT, report, erased, by, reason)
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        object_type="tracing.missingreport",
        object_id=str(report.pk),
        label=_("(erased)"),
        station_id=report.station_id,
        detail={"erasure": erasure.pk, "reason": reason},
    )
    return Receipt(erasure, backups_expire_by(erasure.at))


@transaction.atomic
def person_erase(*, person: Person, by: User | None, reason: str, journal=True) -> Receipt:
    """Erase what a person in care (or their guardian) may have erased: their photos and
    face vectors, their DNA, their ID number, the words of their public notices, and the
    candidates still open. The case file (stays, care, exits) is kept: the station must
    keep it under its archive rules (PIPL art. 47 §2), and a person still in care keeps a
    name so that staff can care for them."""
    from homeward.cases.selectors import person_records

    reason = _reason(reason)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if journal:
        _journal(Erasure.Subject.PERSON, person.public_id)
    erased: dict = {"records": 0, "faces": 0, "photos": 0, "dna": 0, "notices": 0, "tips": 0,
                    "candidates": 0, "fields": []}  # fmt: skip
    # The person and every record merged into them: a merge keeps each record's own fields.
    for record in person_records(person):
        erased["records"] += 1
        photos = list(PersonPhoto.objects.filter(person=record))
        erased["faces"] += _erase_person_faces(record)
        erased["photos"] += len(photos)
        _delete_files([p.image.name for p in photos])
        for photo in photos:
            photo.delete()
        erased["dna"] += _erase_found_dna(record)
        notices = Notice.objects.filter(stay__person=record)
        erased["tips"] += Tip.objects.filter(notice__in=notices).delete()[0]
        erased["notices"] += sum(1 for notice in notices if _erase_notice(notice))
        open_ = Candidate.objects.filter(person=record, reunion__isnull=True, status__in=UNDECIDED)
        erased["candidates"] += open_.count()
        open_.delete()
        if record.id_number:
            record.id_number = ""
            record.save(update_fields=["id_number", "updated_at"])
            erased["fields"] = ["id_number"]
    erasure = _record(Erasure.REQUEST, Erasure.Subject.PERSON, person, erased, by, reason)
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        obj=person,
        detail={"erasure": erasure.pk, "reason": reason},
    )
    return Receipt(erasure, backups_expire_by(erasure.at))


def erasures_replay() -> int:
    """Erase again, after a restore, every record whose erasure was asked for, and drop the
    consents withdrawn (`homeward restore` calls this; `homeward privacy replay` too). The
    whole journal is replayed, not only what came after the backup: a request committed
    while the backup was being made may or may not be in it, and replaying is idempotent.
    Returns how many records were erased again."""
    path = Path(settings.BACKUP_DIR) / JOURNAL
    if not path.is_file():
        return 0
    count = 0
    again = _("Erased again after a restore.")
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            line = json.loads(raw)
            subject, public_id = line["subject"], line["public_id"]
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line: its request is in the database's ledger
        if subject == Erasure.Subject.PERSON:
            person = Person.objects.filter(public_id=public_id).first()
            if person is not None and _person_holds_data(person):
                person_erase(person=person, by=None, reason=again, journal=False)
                count += 1
            continue
        report = MissingReport.objects.filter(public_id=public_id).first()
        if report is None:
            continue
        if subject == Erasure.Subject.REPORT and _report_holds_data(report):
            report_erase(report=report, by=None, reason=again, journal=False)
            count += 1
        elif subject == "relative_dna":
            relatives = report.relatives.filter(pk=line.get("relative"), profile__isnull=False)
            for relative in relatives:
                relative.consent, relative.consent_at = Relative.Consent.NONE, None
                relative.save(update_fields=["consent", "consent_at", "updated_at"])
                count += _erase_relative_dna([relative])
        elif subject == "publish_consent" and report.publish_consent:
            report.publish_consent, report.publish_consent_at = False, None
            report.save(update_fields=["publish_consent", "publish_consent_at", "updated_at"])
            count += 1
    return count


def _person_holds_data(person: Person) -> bool:
    return bool(
        person.photos.exists()
        or person.id_number
        or FoundDna.objects.filter(person=person, profile__isnull=False).exists()
    )


def _report_holds_data(report: MissingReport) -> bool:
    return bool(
        report.name or report.contact_phone or report.photos.exists() or report.relatives.exists()
    )


# The retention table, applied.


@dataclass
class RetentionResult:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _report_ended_at():
    """When the report was reunited or withdrawn (its last such update), or its last change."""
    return Subquery(
        ReportUpdate.objects.filter(
            report=OuterRef("pk"),
            kind__in=(ReportUpdate.Kind.REUNITED, ReportUpdate.Kind.WITHDRAWN),
        )
        .values("report")
        .annotate(last=Max("at"))
        .values("last")[:1]
    )


def _ended_reports(days: int, now: datetime):
    cutoff = now - timedelta(days=days)
    ended = MissingReport.objects.filter(status__in=ENDED).annotate(ended_at=_report_ended_at())
    return ended.filter(Q(ended_at__lte=cutoff) | Q(ended_at__isnull=True, updated_at__lte=cutoff))


def _home_people(days: int, now: datetime):
    """People whose last stay ended in going home or to their family `days` ago, and who are
    in no station now."""
    last_exit = Subquery(
        Exit.objects.filter(stay__person=OuterRef("pk")).order_by("-at").values("kind")[:1]
    )
    last_exit_at = Subquery(
        Exit.objects.filter(stay__person=OuterRef("pk")).order_by("-at").values("at")[:1]
    )
    return (
        Person.objects.annotate(last_exit=last_exit, last_exit_at=last_exit_at)
        .filter(
            last_exit__in=HOME,
            last_exit_at__lte=now - timedelta(days=days),
            merged_into__isnull=True,
        )
        .exclude(stays__status=Stay.Status.IN_STATION)
        # A record merged into this one may hold the person's stay in care now.
        .exclude(merged_records__stays__status=Stay.Status.IN_STATION)
    )


def _apply_relative_dna(days: int, now: datetime, result: RetentionResult) -> None:
    relatives = Relative.objects.filter(
        report__in=_ended_reports(days, now).values("pk"), profile__isnull=False
    ).exclude(consent=Relative.Consent.KEEP)
    for relative in relatives.select_related("report"):
        if _erase_relative_dna([relative]):
            _record("relative_dna", Erasure.Subject.RELATIVE, relative, {"dna": 1}, None, "")
            result.counts["relative_dna"] = result.counts.get("relative_dna", 0) + 1


def _apply_found_dna(days: int, now: datetime, result: RetentionResult) -> None:
    people = _home_people(days, now).filter(dna__profile__isnull=False)
    for person in people:
        if _erase_found_dna(person):
            _record("found_dna", Erasure.Subject.PERSON, person, {"dna": 1}, None, "")
            result.counts["found_dna"] = result.counts.get("found_dna", 0) + 1


def _apply_found_faces(days: int, now: datetime, result: RetentionResult) -> None:
    people = _home_people(days, now).filter(faces__kind=FaceVector.Kind.FOUND).distinct()
    for person in people:
        faces = _erase_person_faces(person)
        if faces:
            _record("found_faces", Erasure.Subject.PERSON, person, {"faces": faces}, None, "")
            result.counts["found_faces"] = result.counts.get("found_faces", 0) + 1


def _apply_report_contact(days: int, now: datetime, result: RetentionResult) -> None:
    holding = (
        _ended_reports(days, now)
        .filter(
            ~Q(contact_phone="")
            | ~Q(contact_email="")
            | ~Q(contact_name="")
            | Q(photos__isnull=False)
        )
        .distinct()
    )
    for report in holding:
        erased = {"fields": _erase_report_contact(report), "photos": _erase_report_photos(report)}
        _record("report_contact", Erasure.Subject.REPORT, report, erased, None, "")
        result.counts["report_contact"] = result.counts.get("report_contact", 0) + 1


def _apply_notices(days: int, now: datetime, result: RetentionResult) -> None:
    withdrawn = Notice.objects.filter(withdrawn_at__lte=now - timedelta(days=days)).filter(
        ~Q(photo="") | ~Q(name_said="") | ~Q(found_place="") | Q(height_cm__isnull=False)
    )
    for notice in withdrawn:
        gone = _erase_notice(notice)
        if gone:
            _record("notices", Erasure.Subject.NOTICE, notice, {"fields": gone}, None, "")
            result.counts["notices"] = result.counts.get("notices", 0) + 1


def _apply_tips(days: int, now: datetime, result: RetentionResult) -> None:
    tips = Tip.objects.filter(notice__withdrawn_at__lte=now - timedelta(days=days))
    count = tips.count()
    if count:
        tips.delete()
        Erasure.objects.create(rule="tips", subject=Erasure.Subject.TIP, erased={"tips": count})
        result.counts["tips"] = count


def _apply_audit(days: int, now: datetime, result: RetentionResult) -> None:
    old = AuditEvent.objects.filter(at__lt=now - timedelta(days=days))
    count = old.count()
    if count:
        # The model refuses deletes, and PostgreSQL's trigger too unless this transaction
        # says it expires the trail (accounts migration 0003): only this job does.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL homeward.audit_expiry = 'on'")
            old._raw_delete(old.db)
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL homeward.audit_expiry = 'off'")
        Erasure.objects.create(
            rule="audit", subject=Erasure.Subject.AUDIT, erased={"events": count}
        )
        result.counts["audit"] = count


APPLY = {
    "relative_dna": _apply_relative_dna,
    "found_dna": _apply_found_dna,
    "found_faces": _apply_found_faces,
    "report_contact": _apply_report_contact,
    "notices": _apply_notices,
    "tips": _apply_tips,
    "audit": _apply_audit,
}


@transaction.atomic
def retention_apply(*, now: datetime | None = None) -> RetentionResult:
    """Apply every rule of the retention table at `now` (the daily job), and write what it
    erased to the audit trail. Applying it twice erases nothing the second time."""
    now = now or timezone.now()
    result = RetentionResult()
    for rule in RULES:
        APPLY[rule.code](rule.days, now, result)
    audit_record(
        actor=None,
        action=AuditEvent.Action.DELETE,
        object_type="privacy.retention",
        label=_("Retention rules applied"),
        via="job",
        detail={"counts": result.counts, "at": now.isoformat()},
    )
    return result
