from homeward.tracing.models.found import FaceVector, FoundDna
from homeward.tracing.models.notices import Notice, Tip
from homeward.tracing.models.reports import MissingReport, Relative, ReportPhoto
from homeward.tracing.models.review import Candidate, InquiryTask, Reunion

__all__ = [
    "Candidate",
    "FaceVector",
    "FoundDna",
    "InquiryTask",
    "MissingReport",
    "Notice",
    "Relative",
    "ReportPhoto",
    "Reunion",
    "Tip",
]
