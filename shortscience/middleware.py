"""Keep serving, briefly and politely, when the database is away."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from .clientip import client_ip

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After instead of 500 while the database cannot be reached.

    Django opens a new connection on the next request (CONN_HEALTH_CHECKS), so the site
    recovers by itself once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable_response(exception)


def database_unavailable_response(
    exception: BaseException | None,
) -> HttpResponse | None:
    """Return the 503 for an exception that means the database is away, else None.

    Views reach it through the middleware above; errors raised by other middleware (a
    session saved, a user loaded) reach it through the 500 handler, pages.views.server_error.
    """
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    if isinstance(exception, DatabaseError) and "does not exist" in str(exception):
        return None  # a schema problem, not an outage
    logger.warning("database unavailable: %s", exception)
    response = HttpResponse(
        render_to_string("503.html"),
        status=503,
        content_type="text/html; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _writer_key(group, request) -> str:
    """Count a signed-in user's writes by account, anybody else's by address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"addr:{client_ip(request)}"


class WriteRateLimitMiddleware:
    """Limit every write (POST, PUT, PATCH, DELETE) per user, or per address when signed out.

    Individual actions have stricter limits of their own; this one is the floor that no
    new form or endpoint can forget.
    """

    RATE = "120/m"
    EXEMPT_PREFIXES = ("/csp-report/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django_ratelimit.core import UNSAFE, is_ratelimited

        if request.method in (
            "POST",
            "PUT",
            "PATCH",
            "DELETE",
        ) and not request.path.startswith(self.EXEMPT_PREFIXES):
            limited = is_ratelimited(
                request,
                group="all-writes",
                key=_writer_key,
                rate=self.RATE,
                method=UNSAFE,
                increment=True,
            )
            if limited:
                message = (
                    "Too many changes in a short time; wait a minute and try again."
                )
                if request.path.startswith("/api/"):
                    response = JsonResponse({"error": message}, status=429)
                else:
                    response = HttpResponse(
                        message, status=429, content_type="text/plain; charset=utf-8"
                    )
                response["Retry-After"] = "60"
                return response
        return self.get_response(request)
