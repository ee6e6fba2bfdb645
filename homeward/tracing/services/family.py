"""What a family does with its own report on the portal: add what it has learnt or a photo,
and withdraw the report. Only the account that filed a report changes it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import Role, User
from homeward.common.images import clean_or_errors
from homeward.tracing.models import MissingReport, ReportChange, ReportPhoto, ReportUpdate
from homeward.tracing.services.reports import _after_change

ADD_MAX_CHARS = 2000
OPEN = (MissingReport.Status.PENDING, MissingReport.Status.VERIFIED)


def _own_open(report: MissingReport, by: User) -> None:
    if by.role != Role.FAMILY or report.filed_by_id != by.pk:
        raise PermissionDenied(_("Only the family that filed a report changes it."))
    if report.status not in OPEN:
        raise ValidationError(
            {
                "status": _("This report is %(status)s: it no longer changes.")
                % {"status": report.get_status_display()}
            }
        )


@transaction.atomic
def report_add(
    *,
    report: MissingReport,
    by: User,
    text: str = "",
    photo: UploadedFile | None = None,
    photo_year: int | None = None,
) -> list[ReportUpdate]:
    """Information or a photo the family adds to its open report. The photo is decoded and
    re-encoded like every upload; a verified report is searched again at once."""
    _own_open(report, by)
    errors: dict[str, list[str]] = {}
    text = text.strip()
    if len(text) > ADD_MAX_CHARS:
        errors["text"] = [
            _("Write at most %(n)d characters.") % {"n": ADD_MAX_CHARS},
        ]
    if photo_year is not None and not 1900 <= photo_year <= timezone.localdate().year:
        errors["photo_year"] = [_("A photo's year must be a real year, not later than now.")]
    clean = clean_or_errors(photo, errors, "photo") if photo is not None else None
    if not text and photo is None and not errors:
        errors["text"] = [_("Write what you have learnt, or add a photo.")]
    if errors:
        raise ValidationError(errors)
    updates = []
    if text:
        updates.append(ReportUpdate.objects.create(report=report, kind="info", text=text, by=by))
    if clean is not None:
        ReportPhoto.objects.create(report=report, image=clean.as_file(), taken_year=photo_year)
        updates.append(ReportUpdate.objects.create(report=report, kind="photo", by=by))
    MissingReport.objects.filter(pk=report.pk).update(updated_at=timezone.now())
    ReportChange.objects.create(report_id=report.pk)  # no signal: the matcher's log, by hand
    audit_record(
        actor=by,
        action="update",
        obj=report,
        station_id=report.station_id,
        detail={"added": [u.kind for u in updates]},
    )
    if report.status == MissingReport.Status.VERIFIED:
        _after_change(report)
    return updates


@transaction.atomic
def report_publish_consent(*, report: MissingReport, by: User, given: bool) -> MissingReport:
    """The family gives or withdraws its consent to urgent alerts that name the missing
    person. Withdrawn, no alert about the report is sent from then on, queued ones included."""
    _own_open(report, by)
    if report.publish_consent != given:
        report.publish_consent = given
        report.publish_consent_at = timezone.now() if given else None
        report.save(update_fields=["publish_consent", "publish_consent_at", "updated_at"])
        audit_record(
            actor=by,
            action="update",
            obj=report,
            station_id=report.station_id,
            detail={"publish_consent": given},
        )
        if given:
            _after_change(report)
        else:
            from homeward.privacy.services import consent_withdrawn

            consent_withdrawn(report=report)
    return report


@transaction.atomic
def report_withdraw(*, report: MissingReport, by: User, reason: str = "") -> MissingReport:
    """The family withdraws its report (found by themselves, or filed by mistake): it is
    closed, no longer searched, and its open candidates leave the tracing desk."""
    from homeward.tracing.services.review import candidates_close

    _own_open(report, by)
    reason = reason.strip()[:ADD_MAX_CHARS]
    report.status = MissingReport.Status.CLOSED
    report.save(update_fields=["status", "updated_at"])
    ReportUpdate.objects.create(report=report, kind="withdrawn", text=reason, by=by)
    candidates_close(report=report, reason=_("The family withdrew the report."), by=by)
    audit_record(
        actor=by,
        action="update",
        obj=report,
        station_id=report.station_id,
        detail={"withdrawn": True},
    )
    return report
