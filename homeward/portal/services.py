"""Family accounts on the portal: sign-up, phone codes, a number that moves, a forgotten
password. (The abuse limits they use live in common.limits.)"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import Role, User
from homeward.accounts.phones import normalise_phone
from homeward.accounts.services import user_create
from homeward.common.limits import allow
from homeward.common.senders import sms_sender
from homeward.portal.models import PhoneCode

CODE_MINUTES = 15
MAX_ATTEMPTS = 5


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _warn(digits: str, text: str) -> None:
    """Tell a number's owner that someone tried it: at most three such texts a day, so the
    warning itself cannot be used to flood a phone."""
    if allow(f"warn:{digits}", limit=3, per_seconds=86400):
        sms_sender().send(digits, text)


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
        _warn(
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
def phone_code_send(*, user: User, to: str = "") -> None:
    """A new code (the last one sent stops working) to the account's number, or to `to`,
    the number the account is moving to."""
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    PhoneCode.objects.create(
        user=user,
        phone=to or user.phone,
        digest=_digest(code),
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )
    sms_sender().send(to or user.phone, _("Homeward verification code: %(code)s") % {"code": code})


def code_sent_to(user: User) -> str:
    """The number the user's live code went to ("" without one)."""
    pending = (
        PhoneCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    return (pending.phone or user.phone) if pending else ""


def _check_code(user: User, code: str) -> PhoneCode:
    """The user's live code if `code` is it; a wrong try is counted. Raises a ValidationError
    on the code otherwise. The messages never depend on more than the tries made, so an
    unknown number can be answered with the same ones (`wrong_code_message`)."""
    pending = (
        PhoneCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if pending is None:
        locked = (
            PhoneCode.objects.filter(
                user=user, attempts__gte=MAX_ATTEMPTS, expires_at__gt=timezone.now()
            )
            .order_by("-created_at")
            .exists()
        )
        raise _CodeProblem(
            _("Too many wrong codes: ask for a new one.")
            if locked
            else _("The code has expired: ask for a new one.")
        )
    pending.attempts += 1
    if pending.attempts > MAX_ATTEMPTS or not secrets.compare_digest(
        pending.digest, _digest(code.strip())
    ):
        if pending.attempts >= MAX_ATTEMPTS:
            pending.used_at = timezone.now()
        pending.save()
        raise _CodeProblem(wrong_code_message(pending.attempts))
    return pending


def wrong_code_message(tries: int) -> str:
    if tries < MAX_ATTEMPTS:
        return _("The code is not right.")
    return _("Too many wrong codes: ask for a new one.")


class _CodeProblem(Exception):
    """A wrong, locked or expired code: the try is counted and committed before the
    error reaches the caller."""


def phone_verify(*, user: User, code: str) -> User:
    """Check a code sent to the user's phone. A wrong try is counted and kept (committed
    before the error is raised), so the fifth wrong code locks the code whatever the
    caller does with the error (so no caller may wrap it in a transaction of its own).

    A code sent to a new number moves the account there now: the number is its user
    name. If another account took that number meanwhile, nothing moves."""
    problem = ""
    with transaction.atomic():
        try:
            pending = _check_code(user, code)
        except _CodeProblem as exc:
            problem = str(exc)
        else:
            pending.used_at = timezone.now()
            pending.save()
            moving = pending.phone and pending.phone != user.phone
            if moving and _number_taken(pending.phone, but=user):
                problem = _("This number now belongs to another account.")
            else:
                if moving:
                    User.objects.filter(pk=user.pk).update(
                        username=pending.phone, phone=pending.phone
                    )
                    user.username = user.phone = pending.phone
                    audit_record(actor=user, action="update", obj=user, detail={"phone": "moved"})
                User.objects.filter(pk=user.pk).update(phone_verified=True)
                user.phone_verified = True
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


def phone_change(*, user: User, phone: str) -> str:
    """A family account asks to move to another mobile number: a code goes there, and the
    account moves (the number is its user name) only when that code comes back, so a typo
    never locks the family out. Returns the number (normalised) for the page to show.

    A number another account holds is answered exactly like a free one: the page says the
    code went there, the number's owner is told by text message instead, and no code that
    could move an account exists.
    """
    if user.role != Role.FAMILY:
        raise ValidationError({"phone": _("Only a family account changes its number here.")})
    digits = normalise_phone(phone)
    if digits != user.phone and _number_taken(digits, but=user):
        _decoy_code(user, digits)
        _warn(
            digits,
            _(
                "Someone tried to move a Homeward account to this number. Your own account "
                "is unchanged."
            ),
        )
        return digits
    phone_code_send(user=user, to=digits)
    return digits


def _decoy_code(user: User, digits: str) -> None:
    """A code for a move to a taken number that is never sent: the page then answers a
    wrong code exactly as for a free number ("not right", then "too many"), and the move
    itself is refused by `phone_verify` whatever is typed."""
    PhoneCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    PhoneCode.objects.create(
        user=user,
        phone=digits,
        digest=_digest(secrets.token_hex(16)),
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )


def code_resend(*, user: User, to: str) -> None:
    """ "Send a new code" on the code page: to the account's number, or to the number it is
    moving to; a move to a taken number gets a new decoy, never a text to that number."""
    if to and to != user.phone:
        if _number_taken(to, but=user):
            _decoy_code(user, to)
        else:
            phone_code_send(user=user, to=to)
    else:
        phone_code_send(user=user)


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
    code also proves the number, so it counts as verified). The code is checked first: a
    page never says anything about the password of a number whose code it was not given."""
    problem = ""
    with transaction.atomic():
        try:
            pending = _check_code(user, code)
        except _CodeProblem as exc:
            problem = str(exc)
        else:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                # The right code and a weak password: the code stays good for a better one.
                pending.attempts -= 1
                pending.save()
                raise ValidationError({"password": exc.messages}) from None
            pending.used_at = timezone.now()
            pending.save()
            user.set_password(password)
            user.phone_verified = True
            user.save(update_fields=["password", "phone_verified"])
            audit_record(
                actor=user, action="update", obj=user, detail={"password": "reset by code"}
            )
    if problem:
        raise ValidationError({"code": problem})
    return user
