"""Keep serving, briefly and politely, when the database is away."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

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
