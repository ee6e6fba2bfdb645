"""Tracing notices: made for people who cannot be identified, published after the
configured delay (24 hours by default), refreshed every 30 days, withdrawn at exit."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from homeward.cases.models import Person, Stay
from homeward.common.images import ImageRefused, clean_image
from homeward.tracing.models import Notice, Tip

logger = logging.getLogger(__name__)

REFRESH_DAYS = 30
GENERATION_KEY = "tracing:notices:generation"


def _delay() -> timedelta:
    return timedelta(hours=float(getattr(settings, "NOTICE_DELAY_HOURS", 24)))


def needs_notice(stay: Stay) -> bool:
    """A person whose identity no document settles gets a notice (无法核实身份)."""
    person = stay.person
    return not person.id_number and person.name_source != Person.NameSource.DOCUMENT


def _face_crop(name: str) -> str:
    """The public photo of a notice: the face (the largest one found, with room for the
    hair and the chin, 3:4) cut from the intake photo and encoded anew as a JPEG under
    notices/faces/; the whole photo, encoded anew, where no face is found. One file per
    intake photo (named from it), so a refresh with the same photo writes nothing.
    "" without a photo, or when the photo cannot be read: a notice without a photo is
    better than no notices, so one bad file is logged and never stops the others."""
    if not name or not default_storage.exists(name):
        return ""
    path = f"notices/faces/{hashlib.sha256(name.encode()).hexdigest()[:32]}.jpg"
    if default_storage.exists(path) and not _whole_image(path):
        default_storage.delete(path)  # half written when a crash stopped the job: made anew
    if default_storage.exists(path):
        # Made again now, as far as the sweep of unnamed files knows (common/files.py): a
        # crop kept from an older notice is not removed before the new row names it.
        with contextlib.suppress(NotImplementedError, OSError):
            os.utime(default_storage.path(path))
        return path
    try:
        data = _cropped(name)
    except (OSError, ValueError, ImageRefused, Image.DecompressionBombError) as exc:
        logger.warning("notice photo from %s left out: %s", name, exc)
        return ""
    return default_storage.save(path, ContentFile(data))


def _whole_image(path: str) -> bool:
    try:
        with default_storage.open(path, "rb") as handle, Image.open(handle) as picture:
            picture.load()  # every byte decoded: a file cut short fails here
    except (OSError, ValueError, Image.DecompressionBombError):
        return False
    return True


def _cropped(name: str) -> bytes:
    import numpy as np

    from homeward.matching.face.model import default_model

    with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
        picture = image.convert("RGB")
    small = picture.copy()
    small.thumbnail((800, 800))  # found on a copy of at most 800 px: quick, and enough
    scale = picture.width / small.width
    rgb = np.ascontiguousarray(np.asarray(small), dtype=np.uint8)
    faces = default_model().detect(rgb) or default_model().detect(rgb, upsample=1)
    if faces:
        left, top, right, bottom = (
            v * scale
            for v in max((f.box for f in faces), key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        )
        cx, cy, side = (left + right) / 2, (top + bottom) / 2, max(right - left, bottom - top)
        half_w, half_h = side * 1.0, side * 1.33
        box = (
            max(int(cx - half_w), 0),
            max(int(cy - half_h * 0.9), 0),
            min(int(cx + half_w), picture.width),
            min(int(cy + half_h * 1.1), picture.height),
        )
        picture = picture.crop(box)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return clean_image(out.getvalue()).data


def notice_photo_drop(name: str) -> None:
    """A notice photo nothing uses any more (never an intake photo: only notices/ files)."""
    if name.startswith("notices/") and not Notice.objects.filter(photo=name).exists():
        default_storage.delete(name)


def _snapshot(stay: Stay) -> dict:
    person = stay.person
    age = person.age_on(timezone.localdate(stay.admitted_at))
    return {
        "sex": person.sex,
        "age_low": max(age[0], 0) if age else None,
        "age_high": max(age[1], 0) if age else None,
        "height_cm": person.height_cm,
        "found_on": timezone.localdate(stay.found_at or stay.admitted_at),
        "found_division": stay.found_division,
        "found_place": stay.found_address,
        "dialect_division": person.dialect_division,
        "marks": person.marks,
        "name_said": person.name if person.name_source != Person.NameSource.UNKNOWN else "",
        "photo": _face_crop(person.photo.name if person.photo else ""),
        "station_name": stay.station.name,
        "station_phone": stay.station.phone_24h,
    }


@dataclass
class SyncResult:
    created: int = 0
    published: int = 0
    refreshed: int = 0
    withdrawn: int = 0


@transaction.atomic
def notices_sync(*, now: datetime | None = None) -> SyncResult:
    """Bring every notice up to date at `now` (a periodic job runs this every few minutes)."""
    now = now or timezone.now()
    result = SyncResult()
    waiting = Stay.objects.filter(
        status=Stay.Status.IN_STATION, notice__isnull=True
    ).select_related("person", "station", "found_division")
    for stay in waiting:
        if needs_notice(stay):
            Notice.objects.create(stay=stay, due_at=stay.admitted_at + _delay(), **_snapshot(stay))
            result.created += 1
    live = Notice.objects.filter(withdrawn_at__isnull=True)
    result.withdrawn = live.exclude(stay__status=Stay.Status.IN_STATION).update(withdrawn_at=now)
    due = list(live.filter(published_at__isnull=True, due_at__lte=now).values_list("pk", flat=True))
    result.published = Notice.objects.filter(pk__in=due).update(published_at=now)
    stale = live.filter(published_at__lte=now - timedelta(days=REFRESH_DAYS))
    for notice in stale:
        last = notice.refreshed_at or notice.published_at
        if last <= now - timedelta(days=REFRESH_DAYS):
            # A fresh snapshot: what staff learnt in a month shows on the notice.
            old_photo = notice.photo.name
            for name, value in _snapshot(notice.stay).items():
                setattr(notice, name, value)
            if old_photo and old_photo != notice.photo.name:
                transaction.on_commit(lambda old=old_photo: notice_photo_drop(old))
            notice.refreshed_at = now
            notice.save()
            result.refreshed += 1
    if result.published or result.refreshed or result.withdrawn:
        # Now, so this process never serves a stale list, and again once committed, so a
        # list cached by another process while this transaction ran is dropped too.
        notices_changed()
        transaction.on_commit(notices_changed)
    if due:
        from homeward.tracing.tasks import alerts_for_notice_job

        transaction.on_commit(lambda: [alerts_for_notice_job(pk) for pk in due])
    return result


def notices_generation() -> int:
    """A number that changes whenever the set of public notices may have changed;
    cached portal lists carry it in their key, so they never outlive a change."""
    return cache.get_or_set(GENERATION_KEY, 1, None)


def notices_changed() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def notice_withdraw(*, stay: Stay, now: datetime | None = None) -> int:
    """Take a notice down at once when the stay ends (home, family, transfer...)."""
    count = Notice.objects.filter(stay=stay, withdrawn_at__isnull=True).update(
        withdrawn_at=now or timezone.now()
    )
    if count:
        notices_changed()
    return count


TIP_MAX_CHARS = 2000


@transaction.atomic
def tip_leave(*, notice: Notice, message: str, contact: str) -> Tip:
    """“I may know this person”: reaches the station's tracing team."""
    errors = {}
    if len(message.strip()) < 4:
        errors["message"] = [_("Tell the station what you know.")]
    elif len(message.strip()) > TIP_MAX_CHARS:
        # Never cut what a member of the public wrote without telling them.
        errors["message"] = [
            _("Keep it to %(n)d characters (you wrote %(length)d).")
            % {"n": TIP_MAX_CHARS, "length": len(message.strip())}
        ]
    if len(contact.strip()) < 5:
        errors["contact"] = [_("Leave a phone number or another way to reach you.")]
    if errors:
        raise ValidationError(errors)
    return Tip.objects.create(notice=notice, message=message.strip(), contact=contact.strip())
