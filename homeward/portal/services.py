"""Family accounts on the portal: sign-up, phone verification; and abuse limits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import Role, User
from homeward.accounts.services import user_create
from homeward.portal.models import PhoneCode
from homeward.portal.senders import sms_sender

CODE_MINUTES = 15
MAX_ATTEMPTS = 5


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_phone(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    if not 7 <= len(digits) <= 15:
        raise ValidationError({"phone": _("Give a mobile number we can send a code to.")})
    return digits


@transaction.atomic
def family_signup(*, phone: str, password: str, display_name: str) -> User | None:
    """A family account: the phone number is the user name; a code goes to the phone.

    None when the number already has an account. The caller answers exactly as for a new
    one ("enter the code we sent"), so sign-up never tells whether a number is registered;
    the number's owner is told by text message that someone tried.
    """
    digits = normalise_phone(phone)
    try:
        validate_password(password, User(username=digits, display_name=display_name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    if User.objects.filter(username=digits).exists():
        sms_sender().send(
            digits,
            _(
                "Someone tried to open a Homeward account with this number. If it was you, "
                "sign in: your user name is this number."
            ),
        )
        return None
    user = user_create(
        username=digits,
        password=password,
        role=Role.FAMILY,
        phone=digits,
        display_name=display_name.strip(),
    )
    phone_code_send(user=user)
    return user


@transaction.atomic
def phone_code_send(*, user: User) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    PhoneCode.objects.create(
        user=user, digest=_digest(code), expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES)
    )
    sms_sender().send(user.phone, _("Homeward verification code: %(code)s") % {"code": code})


def phone_verify(*, user: User, code: str) -> User:
    """Check a code sent to the user's phone. A wrong try is counted and kept (committed
    before the error is raised), so the sixth wrong code locks the code whatever the
    caller does with the error (so no caller may wrap it in a transaction of its own)."""
    with transaction.atomic():
        pending = (
            PhoneCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if pending is None:
            problem = _("The code has expired: ask for a new one.")
        else:
            pending.attempts += 1
            if pending.attempts > MAX_ATTEMPTS:
                pending.used_at = timezone.now()
                problem = _("Too many wrong codes: ask for a new one.")
            elif not secrets.compare_digest(pending.digest, _digest(code.strip())):
                problem = _("The code is not right.")
                if pending.attempts == MAX_ATTEMPTS:  # that was the last try
                    pending.used_at = timezone.now()
                    problem = _("Too many wrong codes: ask for a new one.")
            else:
                pending.used_at = timezone.now()
                problem = ""
                User.objects.filter(pk=user.pk).update(phone_verified=True)
                user.phone_verified = True
            pending.save()
    if problem:
        raise ValidationError({"code": problem})
    return user


def mask_phone(phone: str) -> str:
    """A number as a page may show it: the first three and the last four digits."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def _number_taken(digits: str, *, but: User | None = None) -> bool:
    taken = User.objects.filter(username=digits)
    if but is not None:
        taken = taken.exclude(pk=but.pk)
    return taken.exists()


@transaction.atomic
def phone_change(*, user: User, phone: str) -> str:
    """A family account moves to another mobile number: the number is its user name, so
    both change, the account is unverified until the new number's code comes back, and
    a code goes there. Returns the new number (normalised).

    A number that another account holds is answered exactly like a free one (the code
    "went"), so the page never tells whether a number is registered; that number's owner
    is told by text message instead, and this account keeps its old number.
    """
    if user.role != Role.FAMILY:
        raise ValidationError({"phone": _("Only a family account changes its number here.")})
    digits = normalise_phone(phone)
    if digits == user.phone:
        phone_code_send(user=user)
        return digits
    if _number_taken(digits, but=user):
        sms_sender().send(
            digits,
            _(
                "Someone tried to move a Homeward account to this number. Your own account "
                "is unchanged."
            ),
        )
        return digits
    User.objects.filter(pk=user.pk).update(username=digits, phone=digits, phone_verified=False)
    user.username, user.phone, user.phone_verified = digits, digits, False
    audit_record(actor=user, action="update", obj=user, detail={"phone": "changed"})
    phone_code_send(user=user)
    return digits


def password_reset_request(*, phone: str) -> User | None:
    """A code to set a new password goes to a family account's number; None (and nothing
    sent) when no family account has it. The caller answers the same either way."""
    digits = normalise_phone(phone)
    user = User.objects.filter(username=digits, role=Role.FAMILY, is_active=True).first()
    if user is not None:
        phone_code_send(user=user)
    return user


def password_reset(*, user: User, code: str, password: str) -> User:
    """Set a new password once the code sent to the account's number is given back (the
    code also proves the number, so it counts as verified)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    phone_verify(user=user, code=code)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="update", obj=user, detail={"password": "reset by code"})
    return user


def allow(key: str, *, limit: int, per_seconds: int) -> bool:
    """A fixed-window rate limit in the cache: False once `limit` is passed."""
    bucket = f"rate:{key}:{int(timezone.now().timestamp()) // per_seconds}"
    added = cache.add(bucket, 1, per_seconds)
    if added:
        return True
    try:
        return cache.incr(bucket) <= limit
    except ValueError:
        return True
