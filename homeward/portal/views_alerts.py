"""Alert subscriptions on the portal: subscribe while signed in, unsubscribe by the signed
link every alert carries (no sign-in needed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeward.accounts.models import Role
from homeward.common.forms import form_errors
from homeward.portal.forms import SubscriptionForm
from homeward.tracing import selectors
from homeward.tracing.services.alerts import subscription_create, subscription_end


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(
        request.POST if request.method == "POST" else None,
        partner=request.user.role == Role.PARTNER,
    )
    mine = selectors.subscriptions_of(request.user)
    if request.method == "POST" and request.POST.get("end"):
        subscription = mine.filter(public_id=request.POST["end"]).first()
        if subscription is None:
            raise Http404
        subscription_end(subscription=subscription, by=request.user)
        messages.success(request, _("You will no longer get these alerts."))
        return redirect("portal:alerts")
    if request.method == "POST" and form.is_valid():
        try:
            subscription_create(user=request.user, data=form.subscription_data())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Subscribed. We will alert you of people near you."))
            return redirect("portal:alerts")
    return render(request, "portal/alerts.html", {"form": form, "subscriptions": mine})


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    # A GET only asks: mail scanners follow links, and must not unsubscribe anyone.
    subscription = selectors.subscription_for_token(token)
    if subscription is None:
        raise Http404
    if request.method == "POST":
        subscription_end(subscription=subscription)
        return render(request, "portal/unsubscribe.html", {"done": True})
    return render(
        request, "portal/unsubscribe.html", {"done": not subscription.active, "s": subscription}
    )
