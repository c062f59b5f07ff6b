"""Second factors (allauth.mfa): required of staff and moderators before they act.

Anyone may add a TOTP app, a passkey or security key (WebAuthn) and recovery codes at
/accounts/2fa/. Staff and members of the moderators group must: before any moderation page
or action, and before any admin page, they are sent to set one up, or, when this session was
signed in without it, to confirm it once.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# Recovery codes alone are not a factor: they only come with a TOTP app or a passkey.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def session_used_second_factor(request: HttpRequest) -> bool:
    """Whether this session's user passed a second factor (at sign-in, or since)."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def _return_to(request: HttpRequest) -> str:
    """Where to come back to: this page, or for a form post the page it was posted from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def second_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Return where a staff member or moderator must go first, or None when they may act.

    Without a second factor they are sent to set one up; with one, but signed in without
    it (it was added elsewhere, or the session predates it), they confirm it once.
    """
    user = request.user
    if not settings.MFA_REQUIRED_FOR_MODERATORS or not user.is_authenticated:
        return None
    if not user.may_moderate:
        return None
    if not is_mfa_enabled(user, types=SECOND_FACTORS):
        messages.warning(
            request,
            "Staff and moderators need a second factor: add an authenticator app or a "
            "passkey here, then go back to what you were doing.",
        )
        return HttpResponseRedirect(reverse("mfa_index"))
    if not session_used_second_factor(request):
        query = urlencode({"next": _return_to(request)})
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return None


def second_factor_required(view: Callable) -> Callable:
    """Send staff and moderators through their second factor before the view runs."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return second_factor_redirect(request) or view(request, *args, **kwargs)

    return wrapper


class AdminSecondFactorMiddleware:
    """Guard every admin page (except signing out) with second_factor_required."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace != "admin":
            return None
        if match.url_name in ("logout", "login"):
            return None
        return second_factor_redirect(request)


def second_factor_enrolled(sender, request, user, authenticator, **kwargs) -> None:
    """Count adding a TOTP app or passkey as passing it: the user just proved they hold it.

    Without this, a moderator who has just set up their factor is asked for it at once.
    """
    from allauth.account.internal.flows.login import record_authentication

    if request is not None and authenticator.type in SECOND_FACTORS:
        record_authentication(
            request, user, "mfa", id=authenticator.pk, type=authenticator.type
        )
