"""Signing in: the password form (which can be turned off for all but a break-glass
administrator) and the provider's round trip, whose every failure is a message on the login
page and a row in the audit log."""

import functools

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from mozilla_django_oidc import views as oidc_views

from dashboard.actions import audit
from signon import discovery
from signon.forms import LocalLoginForm
from signon.oidc import provider_name
from signon.refusals import SignOnRefused


def _sign_on_context() -> dict:
    return {
        "sign_on": provider_name() if settings.DOCKBOARD_OIDC_ISSUER else "",
        "local_login": settings.DOCKBOARD_LOCAL_LOGIN,
    }


class LoginView(auth_views.LoginView):
    authentication_form = LocalLoginForm

    def get_context_data(self, **kwargs: object) -> dict:
        return {**super().get_context_data(**kwargs), **_sign_on_context()}


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    with audit.client_address(request.META.get("REMOTE_ADDR")):
        audit.refused(None, "login-failed", reason, target_kind="user", actor_name=provider_name())
    context = {**_sign_on_context(), "sign_on_error": reason, "form": LocalLoginForm(request)}
    return render(request, "registration/login.html", context, status=403)


class _Start(oidc_views.OIDCAuthenticationRequestView):
    def __init__(self, **kwargs: object) -> None:
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(**kwargs)
        self.OIDC_OP_AUTH_ENDPOINT = discovery.endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID


class _Callback(oidc_views.OIDCAuthenticationCallbackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state")
        if "code" in request.GET and state not in request.session.get("oidc_states", {}):
            raise SuspiciousOperation("a state this session did not start, or used already")
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        error = self.request.GET.get("error")
        if error:
            detail = self.request.GET.get("error_description") or error
            return _refused(
                self.request,
                _("%(provider)s did not sign you in: %(detail)s")
                % {"provider": provider_name(), "detail": detail[:200]},
            )
        return _refused(self.request, _("The sign-in did not succeed. Sign in again."))


def _provider_round_trip(view: object) -> object:
    """A step of the round trip: open to people not signed in yet, a message for each refusal."""

    @login_not_required
    @functools.wraps(view)
    def step(request: HttpRequest) -> HttpResponse:
        if not settings.DOCKBOARD_OIDC_ISSUER:
            return _refused(request, _("Single sign-on is not set up here."))
        try:
            return view(request)
        except SignOnRefused as refusal:
            return _refused(request, str(refusal))
        except SuspiciousOperation:  # a state this browser did not start, or one used already
            return _refused(
                request,
                _("This sign-in was not started here, or was used already. Sign in again."),
            )

    return step


@_provider_round_trip
def start(request: HttpRequest) -> HttpResponse:
    """To the provider's sign-in page, with a state, a nonce and a PKCE challenge."""
    return _Start.as_view()(request)


@_provider_round_trip
def callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: the code is exchanged, the tokens checked, the roles set."""
    return _Callback.as_view()(request)
