"""Per-client limits on the pages that cost the most to build (search, feeds, lists).

Crawlers that ignore robots.txt's Crawl-delay meet these: past the rate of its group, a
client (its address, shortscience.clientip.client_ip) gets 429 with Retry-After. Signed-in
readers are counted by account. Anonymous requests with a query string (every distinct
search or filter is a page the cache has not seen) also count against a tighter group.
The JSON API has its own throttle (api/auth.py). Views are named by string: the kernel
imports no app.
"""

from django.conf import settings
from django.http import HttpResponse

from .clientip import client_ip

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_period(rate: str) -> int:
    """Return the window of a django-ratelimit rate such as "30/m" or "100/5m", in seconds."""
    _, _, period = rate.partition("/")
    digits = period[:-1] or "1"
    return int(digits) * PERIODS[period[-1]]


def read_group(namespace: str, url_name: str) -> str | None:
    """Return the READ_RATE_LIMITS group of a view ("namespace:name"), or None if unlimited."""
    for group, views in settings.READ_RATE_LIMITED_VIEWS.items():
        if f"{namespace}:{url_name}" in views or f"{namespace}:*" in views:
            return group
    return None


def _key(group, request) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"addr:{client_ip(request)}"


def _too_many(rate: str) -> HttpResponse:
    response = HttpResponse(
        "Too many requests from your address in a short time; please slow down.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(rate_period(rate))
    return response


class ReadRateLimitMiddleware:
    """Answer 429 with Retry-After to a client reading an expensive kind of page too fast."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django_ratelimit.core import is_ratelimited

        if request.method not in ("GET", "HEAD") or request.resolver_match is None:
            return None
        match = request.resolver_match
        group = read_group(match.namespace, match.url_name or "")
        if group is None:
            return None
        checks = [(group, settings.READ_RATE_LIMITS[group])]
        if request.GET and not request.user.is_authenticated:
            checks.append(("queries", settings.READ_RATE_LIMITS["queries"]))
        for name, rate in checks:
            if is_ratelimited(
                request,
                group=f"read-{name}",
                key=_key,
                rate=rate,
                method=["GET", "HEAD"],
                increment=True,
            ):
                return _too_many(rate)
        return None
