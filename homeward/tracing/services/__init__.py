"""Every write of the tracing app."""

from homeward.tracing.services.notices import notices_sync, tip_leave
from homeward.tracing.services.reports import (
    ReportData,
    duplicate_reports,
    relative_set_dna,
    report_file,
    report_verify,
)
from homeward.tracing.services.review import (
    candidate_confirm,
    candidate_inquire,
    candidate_reject,
    candidates_reject,
    inquiry_done,
    reunion_complete,
    suggested_channel,
)
from homeward.tracing.services.search import (
    face_embed_person,
    face_embed_report_photo,
    found_dna_set,
    relink_all,
    search_for_person,
    search_for_report,
)

__all__ = [
    "ReportData",
    "candidate_confirm",
    "suggested_channel",
    "candidate_inquire",
    "candidate_reject",
    "candidates_reject",
    "duplicate_reports",
    "face_embed_person",
    "face_embed_report_photo",
    "found_dna_set",
    "inquiry_done",
    "notices_sync",
    "relative_set_dna",
    "relink_all",
    "report_file",
    "report_verify",
    "reunion_complete",
    "search_for_person",
    "search_for_report",
    "tip_leave",
]
