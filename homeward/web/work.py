"""Each role's home page is its work: what waits for this user today, with a count and a
link to the list where it is done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homeward.accounts import access
from homeward.accounts.access import WRITE, can
from homeward.accounts.models import User
from homeward.tracing.services.common import TRACERS

# A stay whose last care note is older than this is one a caseworker should look at.
CARE_GAP_DAYS = 3


@dataclass(frozen=True)
class WorkItem:
    key: str
    label: str | Promise
    count: int
    url: str


def work_for(user: User) -> list[WorkItem]:
    """What waits for `user`, by the sections their role writes in."""
    items: list[WorkItem] = []
    if can(user, access.CASES, WRITE):
        items += _desk(user)
    if can(user, access.TRACING, WRITE) and (user.role in TRACERS or user.is_superuser):
        items += _tracing(user)  # the officers who decide on candidates
    if can(user, access.DISPATCH, WRITE):
        from homeward.dispatch.models import Incident
        from homeward.dispatch.selectors import incidents_visible

        open_calls = incidents_visible(user).filter(status__in=Incident.OPEN).count()
        items.append(
            WorkItem("incidents", _("Calls not yet closed"), open_calls, reverse("dispatch:center"))
        )
    return items


def _desk(user: User) -> list[WorkItem]:
    from homeward.cases.models import CareNote, Stay
    from homeward.cases.selectors import stays_in_station
    from homeward.dispatch.selectors import drafts_open

    stays = stays_in_station(user)
    cases = reverse("cases:stay-list")
    recent = CareNote.objects.filter(
        stay=OuterRef("pk"), at__gte=timezone.now() - timedelta(days=CARE_GAP_DAYS)
    )
    in_station = stays.filter(status=Stay.Status.IN_STATION)
    no_care = in_station.exclude(Exists(recent)).count()
    # No photo the face search can use: none taken, or each one below the standard.
    no_photo = in_station.exclude(person__photos__face__accepted=True).count()
    return [
        WorkItem(
            "drafts", _("Street-team drafts to register"), drafts_open(user).count(),
            reverse("dispatch:drafts"),
        ),
        WorkItem("minors", _("Minors in the station"), stays.filter(is_minor=True).count(),
                 f"{cases}?view=minors"),
        WorkItem("no-photo", _("No usable photo: retake it"), no_photo, f"{cases}?view=no_photo"),
        WorkItem("no-care", _("No care note for three days"), no_care, f"{cases}?view=in_station"),
    ]  # fmt: skip


def _tracing(user: User) -> list[WorkItem]:
    from homeward.tracing.models import InquiryTask
    from homeward.tracing.selectors import candidates_visible, review_queue, tips_visible

    home = reverse("tracing:home")
    inquiries = InquiryTask.objects.filter(
        done_at__isnull=True,
        due_on__lte=timezone.localdate(),
        candidate__in=candidates_visible(user),
    ).count()
    week = timezone.now() - timedelta(days=7)
    tips = tips_visible(user).filter(created_at__gte=week).count()
    return [
        WorkItem("queue", _("Candidates to review"), review_queue(user).count(), home),
        WorkItem("inquiries", _("Inquiries due"), inquiries, f"{home}?tab=queue&due=on"),
        WorkItem("tips", _("Tips this week"), tips, f"{home}?tab=tips"),
    ]  # fmt: skip
