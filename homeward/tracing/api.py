"""The tracing API: reports and the review queue for staff (scoped like the pages), and the
public notices for anyone, with public fields only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from homeward.accounts.audit import audit_record
from homeward.common.schemas import input_schema
from homeward.regions.selectors import references_resolve
from homeward.tracing import selectors, services
from homeward.tracing.models import Candidate, MissingReport, Notice
from homeward.tracing.services.common import REPORT_TAKERS

MAX_PAGE = 100_000

router = Router(tags=["tracing"])


class ReportOut(Schema):
    id: int
    public_id: UUID
    status: str
    channel: str
    station_id: int | None
    name: str
    aliases: list[str]
    sex: str
    birth_date: date | None
    home_division: str | None
    lost_date: date | None
    lost_at: datetime | None
    lost_division: str | None
    lost_address: str
    height_cm: int | None
    marks: list[str]
    created_at: datetime


class ReportDetailOut(ReportOut):
    conditions: list[str]
    contact_name: str
    contact_relation: str
    contact_phone: str
    contact_email: str


def _report(report: MissingReport, schema: type[ReportOut] = ReportOut) -> ReportOut:
    fields = {name: getattr(report, name, None) for name in schema.model_fields}
    fields["home_division"] = report.home_division_id
    fields["lost_division"] = report.lost_division_id
    return schema(**fields)


@router.get("/reports", response=list[ReportOut], summary="Missing reports in your scope")
def list_reports(request: HttpRequest, status: str = ""):
    qs = selectors.reports_visible(request.user)
    if status in MissingReport.Status.values:
        qs = qs.filter(status=status)
    audit_record(
        actor=request.user, action="list", object_type="tracing.missingreport", request=request
    )
    return [_report(r) for r in qs[:500]]


@router.get(
    "/reports/{report_id}", response=ReportDetailOut, summary="One report (404 outside your scope)"
)
def get_report(request: HttpRequest, report_id: int):
    return _report(selectors.report_get(request.user, report_id, request=request), ReportDetailOut)


ReportIn = input_schema(
    services.ReportData,
    name="ReportIn",
    choices={"sex": ["M", "F", "U"], "birth_precision": ["day", "month", "year"]},
)


@router.post(
    "/reports", response={201: ReportDetailOut}, summary="File a report for a family (staff)"
)
def file_report(request: HttpRequest, payload: ReportIn):  # type: ignore[valid-type]
    if request.user.role not in REPORT_TAKERS:
        raise PermissionDenied
    fields = payload.dict()
    references_resolve(fields, services.ReportData)
    report = services.report_file(data=services.ReportData(**fields), by=request.user)
    return Status(201, _report(report, ReportDetailOut))


class CandidateOut(Schema):
    id: int
    person_id: int
    report_id: int
    station_id: int
    status: str
    posterior: float
    log10_attributes: float | None
    log10_face: float | None
    log10_dna: float | None
    log10_total: float
    created_at: datetime


@router.get("/queue", response=list[CandidateOut], summary="Your stations' review queue")
def review_queue(request: HttpRequest):
    audit_record(
        actor=request.user, action="list", object_type="tracing.candidate", request=request
    )
    rows: list[Candidate] = list(selectors.review_queue(request.user)[:500])
    return [
        CandidateOut(**{name: getattr(c, name) for name in CandidateOut.model_fields}) for c in rows
    ]


class NoticeOut(Schema):
    """Public fields only: never health, DNA, ID number, birth date or a family's contact."""

    public_id: UUID
    published_at: datetime | None
    refreshed_at: datetime | None
    sex: str
    age_low: int | None
    age_high: int | None
    height_cm: int | None
    found_on: date | None
    found_division: str | None
    found_division_name: str | None
    found_place: str
    dialect_division: str | None
    marks: list[str]
    name_said: str
    has_photo: bool
    station_name: str
    station_phone: str


def _notice(notice: Notice) -> NoticeOut:
    return NoticeOut(
        public_id=notice.public_id,
        published_at=notice.published_at,
        refreshed_at=notice.refreshed_at,
        sex=notice.sex,
        age_low=notice.age_low,
        age_high=notice.age_high,
        height_cm=notice.height_cm,
        found_on=notice.found_on,
        found_division=notice.found_division_id,
        found_division_name=notice.found_division.name if notice.found_division else None,
        found_place=notice.found_place,
        dialect_division=notice.dialect_division_id,
        marks=notice.marks,
        name_said=notice.name_said,
        has_photo=bool(notice.photo),
        station_name=notice.station_name,
        station_phone=notice.station_phone,
    )


@router.get(
    "/notices", response=list[NoticeOut], auth=None, summary="Public tracing notices (no login)"
)
def list_notices(
    request: HttpRequest,
    sex: Literal["", "M", "F", "U"] = "",
    page: int = Query(1, ge=1, le=MAX_PAGE),  # a page past any list is a 422, not a 500
):
    qs = selectors.public_notices().order_by("-published_at", "pk")
    if sex:
        qs = qs.filter(sex=sex)
    start = (page - 1) * 50
    return [_notice(n) for n in qs[start : start + 50]]


@router.get("/notices/{public_id}", response=NoticeOut, auth=None, summary="One public notice")
def get_notice(request: HttpRequest, public_id: UUID):
    notice = selectors.public_notices().filter(public_id=public_id).first()
    if notice is None:
        raise Http404
    return _notice(notice)
