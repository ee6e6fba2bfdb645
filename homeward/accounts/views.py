from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts import access
from homeward.accounts.access import can
from homeward.accounts.forms import (
    AuditFilterForm,
    SignInForm,
    TokenForm,
    record_types,
    scope_label,
)
from homeward.accounts.models import ApiToken
from homeward.accounts.selectors import audit_events_visible
from homeward.accounts.services import api_token_create, api_token_revoke, api_token_scopes_for


@login_required
@permission_required("accounts.view_audit", raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = audit_events_visible(request.user)
    if form.is_valid():
        events = form.apply(events)
    page = Paginator(events.select_related("actor", "station"), 50).get_page(
        request.GET.get("page")
    )
    labels = dict(record_types())
    for event in page:
        event.type_label = labels.get(event.object_type, event.object_type)
    return render(
        request,
        "accounts/audit_list.html",
        {"form": form, "page": page, "can_read_privacy": can(request.user, access.PRIVACY)},
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens: make one (shown once), see when each was used,
    revoke any. A token is its user's alone: nobody else lists or revokes it here."""
    mine = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    form = TokenForm(
        request.POST if request.method == "POST" else None,
        scopes=api_token_scopes_for(request.user),
    )
    secret = None
    if request.method == "POST" and request.POST.get("revoke"):
        token = mine.filter(pk=request.POST["revoke"]).first()
        if token is not None and token.revoked_at is None:
            api_token_revoke(token=token, by=request.user)
            messages.success(request, _("The token is revoked: it no longer works."))
        return redirect("account-tokens")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            _token, secret = api_token_create(
                user=request.user, name=d["name"], scopes=list(d["scopes"]), days=d["days"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = TokenForm(scopes=api_token_scopes_for(request.user))
    rows = [
        {
            "token": token,
            "scopes": [scope_label(s) for s in token.scopes],
            "live": token.revoked_at is None
            and token.expires_at is not None
            and token.expires_at > timezone.now(),
        }
        for token in mine
    ]
    return render(request, "accounts/tokens.html", {"form": form, "rows": rows, "secret": secret})


class SignIn(auth_views.LoginView):
    """The one sign-in page, for staff and families. Coming from the portal (a `next` under
    /p/) it wears the portal's header, so a family is not dropped on a staff page. A user
    name typed as a phone number is read as one (`SignInForm`)."""

    form_class = SignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["portal"] = self.get_redirect_url().startswith("/p/")
        return context
