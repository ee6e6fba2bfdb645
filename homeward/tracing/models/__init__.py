from homeward.tracing.models.alerts import AlertDelivery, Subscription
from homeward.tracing.models.found import FaceVector, FoundDna
from homeward.tracing.models.notices import Notice, Tip
from homeward.tracing.models.pools import FoundChange, ReportFold, SearchPool
from homeward.tracing.models.reports import (
    DnaForget,
    MissingReport,
    Relative,
    ReportChange,
    ReportPhoto,
    ReportUpdate,
)
from homeward.tracing.models.review import Candidate, InquiryTask, Reunion

__all__ = [
    "AlertDelivery",
    "Candidate",
    "FaceVector",
    "FoundChange",
    "FoundDna",
    "InquiryTask",
    "MissingReport",
    "Notice",
    "Relative",
    "DnaForget",
    "ReportChange",
    "ReportFold",
    "ReportPhoto",
    "ReportUpdate",
    "Reunion",
    "SearchPool",
    "Subscription",
    "Tip",
]
