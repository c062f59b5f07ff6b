"""The address of the client a request came from: one function, for every limit and log."""

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the client's address as the server saw it."""
    return request.META.get("REMOTE_ADDR") or "unknown"
