"""Geo-targeted alerts (寻人提醒): subscriptions, the fan-out into an outbox, and delivery.

A newly published notice alerts subscribers near where the person was found and
near the regions they may come from (their accent, their candidates' homes). An
urgent missing report (a child, an elderly person with dementia) alerts within a
radius that grows with the time since loss, as the police child alert does.
Every alert is a row of the outbox (`AlertDelivery`), unique per subscriber and
subject, so it is sent once; a periodic job delivers due rows and retries.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import Role, User
from homeward.common.outbound import webhook_url_check, webhook_url_problem
from homeward.common.senders import send_once, sms_sender, webhook_sender, wechat_sender
from homeward.regions.geo import great_circle_km
from homeward.regions.models import Division
from homeward.tracing.models import AlertDelivery, Candidate, MissingReport, Notice, Subscription
from homeward.tracing.models.alerts import Channel

log = logging.getLogger(__name__)

# (hours since loss, radius km): 100 km within the first hour, 200 within two, 300 within
# three, then 500 km; the same steps as the police child alert (团圆系统).
URGENT_STEPS = ((1, 100), (2, 200), (3, 300))
URGENT_FINAL_KM = 500
URGENT_WINDOW = timedelta(days=30)
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_SUBSCRIPTIONS = 10
UNSUBSCRIBE_SALT = "tracing.alerts.unsubscribe"
KM_PER_DEGREE = 111.2


# --- urgency and radius -----------------------------------------------------------------


def urgent_radius_km(elapsed: timedelta) -> int:
    """The alert radius for an urgent report, `elapsed` after the loss."""
    hours = elapsed.total_seconds() / 3600
    for limit, km in URGENT_STEPS:
        if hours <= limit:
            return km
    return URGENT_FINAL_KM


def _age_when_lost(report: MissingReport) -> int | None:
    if report.birth_date is None:
        return None
    on = report.lost_date or timezone.localdate()
    born = report.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def report_is_urgent(report: MissingReport) -> bool:
    """A child, or an elderly person with dementia (age unknown counts as elderly)."""
    age = _age_when_lost(report)
    if age is not None and age < 18:
        return True
    return "dementia" in (report.conditions or []) and (age is None or age >= 60)


def lost_moment(report: MissingReport) -> datetime:
    """When the person was lost: the hour if known, else the start of the day (the larger,
    safer radius), else when the report was verified."""
    if report.lost_at is not None:
        return report.lost_at
    if report.lost_date is not None:
        return datetime.combine(report.lost_date, time(0, 0), timezone.get_current_timezone())
    return report.verified_at or report.created_at


# --- subscriptions ----------------------------------------------------------------------


@dataclass
class SubscriptionData:
    channels: list[str]
    division: Division | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_km: int = 50
    email: str = ""
    wechat_openid: str = ""
    webhook_url: str = ""
    notices: bool = True
    urgent: bool = True


@transaction.atomic
def subscription_create(*, user: User, data: SubscriptionData) -> Subscription:
    """Subscribe a portal user to alerts near a point or a division."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to subscribe to alerts."))
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    has_point = data.latitude is not None and data.longitude is not None
    if has_point and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180):
        add("latitude", _("The point is not on the map."))
    if not has_point and data.division is None:
        add("division", _("Choose a division or give a point."))
    channels = [c for c in dict.fromkeys(data.channels)]
    if not channels:
        add("channels", _("Choose at least one way to be alerted."))
    if any(c not in Channel.values for c in channels):
        add("channels", _("Unknown channel."))
    if Channel.EMAIL in channels and not data.email.strip():
        add("email", _("Give the e-mail address for alerts."))
    if Channel.SMS in channels and not (user.phone and user.phone_verified):
        add("channels", _("Verify your phone number before choosing text messages."))
    if Channel.WECHAT in channels and not data.wechat_openid.strip():
        add("wechat_openid", _("Give your WeChat ID."))
    if Channel.WEBHOOK in channels:
        if user.role != Role.PARTNER and not user.is_superuser:
            add("channels", _("Alerts by webhook are for partner systems."))
        elif not data.webhook_url.strip():
            add("webhook_url", _("Give the webhook address."))
        elif problem := webhook_url_problem(data.webhook_url):
            add("webhook_url", problem)
    if not data.notices and not data.urgent:
        add("notices", _("Choose what you want to hear of."))
    if Subscription.objects.filter(user=user, active=True).count() >= MAX_SUBSCRIPTIONS:
        add("division", _("You have too many subscriptions: end one first."))
    if errors:
        raise ValidationError(errors)
    point = (data.latitude, data.longitude) if has_point else data.division.point
    subscription = Subscription(
        user=user,
        division=None if has_point else data.division,
        latitude=point[0],
        longitude=point[1],
        radius_km=data.radius_km,
        channels=channels,
        email=data.email.strip() if Channel.EMAIL in channels else "",
        phone=user.phone if Channel.SMS in channels else "",
        wechat_openid=data.wechat_openid.strip() if Channel.WECHAT in channels else "",
        webhook_url=data.webhook_url.strip() if Channel.WEBHOOK in channels else "",
        notices=data.notices,
        urgent=data.urgent,
    )
    subscription.full_clean()
    subscription.save()
    audit_record(actor=user, action="create", obj=subscription)
    return subscription


@transaction.atomic
def subscription_end(*, subscription: Subscription, by: User | None = None) -> Subscription:
    """Unsubscribe (by the user, or by the signed link in every alert); alerts not yet
    sent are cancelled."""
    if not subscription.active:
        return subscription
    subscription.active = False
    subscription.ended_at = timezone.now()
    subscription.save(update_fields=["active", "ended_at"])
    subscription.deliveries.filter(
        status__in=[AlertDelivery.Status.PENDING, AlertDelivery.Status.SENDING]
    ).update(status=AlertDelivery.Status.CANCELLED)
    audit_record(actor=by, action="update", obj=subscription, detail={"ended": True})
    return subscription


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps(str(subscription.public_id), salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscription: Subscription) -> str:
    path = reverse("portal:alerts-unsubscribe", args=[unsubscribe_token(subscription)])
    return settings.PUBLIC_URL.rstrip("/") + path


# --- fan-out ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A place an alert is about: a point, a division, or both.

    `radius_km` None means each subscription's own distance; containment of divisions
    (either way) counts as near when `by_division` is set.
    """

    point: tuple[float, float] | None
    division: Division | None = None
    radius_km: int | None = None
    by_division: bool = True


def _box(target: Target) -> Q:
    if target.point is None:
        return Q(pk__in=[])
    lat, lon = target.point
    radius = target.radius_km or max(r for r, _label in Subscription.RADIUS_CHOICES)
    dlat = radius / KM_PER_DEGREE
    dlon = radius / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.05))
    return Q(latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon))


def _containing(division: Division) -> list[str]:
    code = division.code
    return [code[:2] + "0000", code[:4] + "00", code]


def _near(subscription: Subscription, target: Target) -> bool:
    if target.by_division and target.division is not None and subscription.division is not None:
        mine, theirs = subscription.division, target.division
        if theirs.code.startswith(mine.prefix) or mine.code.startswith(theirs.prefix):
            return True
    if target.point is None:
        return False
    radius = target.radius_km if target.radius_km is not None else subscription.radius_km
    return great_circle_km(subscription.point, target.point) <= radius


def _matching(subscriptions: QuerySet[Subscription], targets: list[Target]) -> list[Subscription]:
    """Subscriptions near any target: a bounding box in SQL, the exact test in Python."""
    condition = Q(pk__in=[])
    for target in targets:
        condition |= _box(target)
        if target.by_division and target.division is not None:
            condition |= Q(division__code__startswith=target.division.prefix)
            condition |= Q(division__code__in=_containing(target.division))
    rows = subscriptions.filter(condition).select_related("division")
    return [s for s in rows if any(_near(s, t) for t in targets)]


def _enqueue(subscriptions: list[Subscription], *, radius: int | None = None, **subject) -> int:
    """Add one outbox row per subscription not yet alerted of the subject; a second call
    adds nothing (the unique constraint settles concurrent fan-outs)."""
    done = set(AlertDelivery.objects.filter(**subject).values_list("subscription_id", flat=True))
    new = [
        AlertDelivery(subscription=s, radius_km=radius, **subject)
        for s in subscriptions
        if s.pk not in done
    ]
    AlertDelivery.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        from homeward.tracing.tasks import alerts_deliver_job

        transaction.on_commit(alerts_deliver_job)
    return len(new)


def notice_targets(notice: Notice) -> list[Target]:
    """Where the person was found, their accent's division, and the homes of the reports
    their open candidates point to (the best five)."""
    stay = notice.stay
    found = (
        (stay.found_latitude, stay.found_longitude)
        if stay.found_latitude is not None and stay.found_longitude is not None
        else (notice.found_division.point if notice.found_division else None)
    )
    targets = [Target(found, notice.found_division)]
    if notice.dialect_division is not None:
        targets.append(Target(notice.dialect_division.point, notice.dialect_division))
    homes = (
        Candidate.objects.filter(
            person_id=stay.person_id,
            status__in=[Candidate.Status.OPEN, Candidate.Status.INQUIRY],
            report__home_division__isnull=False,
        )
        .select_related("report__home_division")
        .order_by("-posterior")[:5]
    )
    for candidate in homes:
        home = candidate.report.home_division
        targets.append(Target(home.point, home))
    return [t for t in targets if t.point is not None or t.division is not None]


@transaction.atomic
def alerts_for_notice(*, notice: Notice) -> int:
    """Queue the alerts of a newly published notice; returns how many were added."""
    if notice.published_at is None or notice.withdrawn_at is not None:
        return 0
    subscriptions = Subscription.objects.filter(active=True, notices=True)
    return _enqueue(_matching(subscriptions, notice_targets(notice)), notice=notice)


@transaction.atomic
def alerts_for_report(*, report: MissingReport, now: datetime | None = None) -> int:
    """Queue the alerts of an urgent verified report at the radius its age allows; called
    again as time passes, it reaches the subscribers the wider circle takes in."""
    now = now or timezone.now()
    if report.status != MissingReport.Status.VERIFIED or not report_is_urgent(report):
        return 0
    if not report.publish_consent:  # the family did not agree to alerts that name them
        return 0
    elapsed = now - lost_moment(report)
    if elapsed > URGENT_WINDOW:
        return 0
    if report.lost_latitude is not None and report.lost_longitude is not None:
        point = (report.lost_latitude, report.lost_longitude)
    elif report.lost_division or report.home_division:
        point = (report.lost_division or report.home_division).point
    else:
        return 0
    radius = urgent_radius_km(elapsed)
    target = Target(point, radius_km=radius, by_division=False)
    subscriptions = Subscription.objects.filter(active=True, urgent=True)
    return _enqueue(_matching(subscriptions, [target]), radius=radius, report=report)


def alerts_widen(*, now: datetime | None = None) -> int:
    """Every few minutes: widen the circle of each urgent report lost in the last 30 days."""
    now = now or timezone.now()
    since = now - URGENT_WINDOW
    recent = MissingReport.objects.filter(status=MissingReport.Status.VERIFIED).filter(
        Q(lost_at__gte=since) | Q(lost_at__isnull=True, lost_date__gte=timezone.localdate(since))
    )
    return sum(alerts_for_report(report=r, now=now) for r in recent if report_is_urgent(r))


# --- delivery ---------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Message:
    subject: str
    text: str
    payload: dict


def _sex(value: str) -> str:
    return {"M": _("male"), "F": _("female")}.get(value, _("sex unknown"))


def _public(path: str) -> str:
    return settings.PUBLIC_URL.rstrip("/") + path


def _message(delivery: AlertDelivery) -> Message:
    stop = _("Stop these alerts: %(url)s") % {"url": unsubscribe_url(delivery.subscription)}
    notice = delivery.notice
    if notice is not None:
        url = _public(reverse("portal:notice", args=[notice.public_id]))
        age = (
            _("about %(low)s–%(high)s years") % {"low": notice.age_low, "high": notice.age_high}
            if notice.age_low is not None
            else _("age unknown")
        )
        place = str(notice.found_division or "") + notice.found_place
        text = _(
            "Homeward tracing notice: a person (%(sex)s, %(age)s) found on %(date)s in "
            "%(place)s is looking for their family. Do you know them? %(url)s"
        ) % {
            "sex": _sex(notice.sex),
            "age": age,
            "date": notice.found_on,
            "place": place,
            "url": url,
        }
        payload = {"type": "notice", "id": str(notice.public_id), "url": url}
        subject = _("Homeward: do you know this person?")
    else:
        report = delivery.report
        station = report.station
        age = _age_when_lost(report)
        text = _(
            "Homeward urgent alert: %(name)s (%(sex)s, %(age)s) went missing on %(date)s near "
            "%(place)s. If you see them, call 110 or %(phone)s."
        ) % {
            "name": report.name,
            "sex": _sex(report.sex),
            "age": _("%(n)s years") % {"n": age} if age is not None else _("age unknown"),
            "date": timezone.localtime(lost_moment(report)).strftime("%Y-%m-%d %H:%M"),
            "place": str(report.lost_division or "") + report.lost_address,
            "phone": station.phone_24h if station else "110",
        }
        payload = {"type": "urgent_report", "id": str(report.public_id)}
        subject = _("Homeward urgent alert: a missing person near you")
    payload |= {"radius_km": delivery.radius_km, "text": text}
    return Message(subject=subject, text=f"{text}\n{stop}", payload=payload)


def _send(channel: str, subscription: Subscription, message: Message, key: str) -> None:
    """One channel of one alert; `key` is the same for every attempt (see common.senders)."""
    if channel == Channel.EMAIL:
        send_mail(message.subject, message.text, None, [subscription.email])
    elif channel == Channel.SMS:
        send_once(sms_sender(), subscription.phone, message.text, key)
    elif channel == Channel.WECHAT:
        send_once(wechat_sender(), subscription.wechat_openid, message.text, key)
    elif channel == Channel.WEBHOOK:
        # Checked again now: the host may have been pointed at a private address since.
        webhook_url_check(subscription.webhook_url)
        body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True)
        send_once(webhook_sender(), subscription.webhook_url, body, key)
    else:
        raise ValueError(f"unknown channel {channel!r}")


def _due(now: datetime) -> Q:
    waiting = Q(status=AlertDelivery.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    # A row a worker claimed and never finished (it crashed): taken up after the lease.
    abandoned = Q(status=AlertDelivery.Status.SENDING, claimed_at__lte=now - LEASE)
    return waiting | abandoned


@transaction.atomic
def _claim(now: datetime, limit: int) -> list[int]:
    """Take due rows for this worker; concurrent workers skip each other's rows."""
    ids = list(
        AlertDelivery.objects.select_for_update(skip_locked=True)
        .filter(_due(now))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    AlertDelivery.objects.filter(pk__in=ids).update(
        status=AlertDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return ids


def _mark_channel_done(delivery: AlertDelivery, channel: str) -> None:
    delivery.done_channels = [*delivery.done_channels, channel]
    AlertDelivery.objects.filter(pk=delivery.pk).update(done_channels=delivery.done_channels)


def _mark_sent(delivery: AlertDelivery, now: datetime) -> None:
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        status=AlertDelivery.Status.SENT, sent_at=now, last_error=""
    )


def _still_current(delivery: AlertDelivery) -> bool:
    if not delivery.subscription.active:
        return False
    if delivery.notice is not None:
        return delivery.notice.withdrawn_at is None
    report = delivery.report
    return report.status == MissingReport.Status.VERIFIED and report.publish_consent


def _key(delivery: AlertDelivery, channel: str) -> str:
    """The same for every attempt of this alert on this channel, and for no other alert:
    the row's creation time is in it, so a row number reused after a restore is new."""
    return f"alert-{delivery.pk}-{delivery.created_at:%Y%m%d%H%M%S%f}-{channel}"


def _deliver_one(pk: int, now: datetime, result: DeliveryResult) -> None:
    delivery = AlertDelivery.objects.select_related(
        "subscription", "notice__found_division", "report__station", "report__lost_division"
    ).get(pk=pk)
    if not _still_current(delivery):
        AlertDelivery.objects.filter(pk=pk).update(status=AlertDelivery.Status.CANCELLED)
        result.cancelled += 1
        return
    channel = ""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            message = _message(delivery)
        for channel in delivery.subscription.channels:
            if channel not in delivery.done_channels:
                _send(channel, delivery.subscription, message, _key(delivery, channel))
                _mark_channel_done(delivery, channel)
    except Exception as exc:  # any sender failure: recorded on the row, retried, never silent
        final = delivery.attempts >= MAX_ATTEMPTS
        error = f"{channel}: {type(exc).__name__}: {exc}"[:1000]
        AlertDelivery.objects.filter(pk=pk).update(
            status=AlertDelivery.Status.FAILED if final else AlertDelivery.Status.PENDING,
            last_error=error,
            next_attempt_at=now + timedelta(minutes=2**delivery.attempts),
        )
        log.warning("alert %s: attempt %s failed: %s", pk, delivery.attempts, error)
        result.errors.append(error)
        if final:
            result.failed += 1
        else:
            result.retried += 1
        return
    _mark_sent(delivery, now)
    result.sent += 1


def alerts_deliver(*, now: datetime | None = None, limit: int = 200) -> DeliveryResult:
    """Send the due alerts of the outbox (a periodic job runs this every minute).

    A row is claimed before sending and marked after; a worker that dies between the
    two leaves it `sending`, and it is taken up again once the lease has passed.
    """
    now = now or timezone.now()
    result = DeliveryResult()
    for pk in _claim(now, limit):
        _deliver_one(pk, now, result)
    return result
