"""HTTP plumbing shared by the source clients: session, retries, error vocabulary.

Every client maps what went wrong onto the exceptions below, so callers (services and
Celery tasks) decide what to do from the exception type alone: retry a
TransientSourceError later, record a PermanentSourceError or NotFound on the paper,
surface a ConfigurationError to the operator.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_BACKOFF = 1.0
# A worker should not sit in sleep() for minutes; past this budget the error goes back
# to the caller (with retry_after) so the task queue can reschedule instead.
DEFAULT_MAX_TOTAL_SLEEP = 30.0

_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
_BAD_URL_ERRORS = (
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidURL,
)


class SourceError(Exception):
    """Base class of every failure to get data from an outside service."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class TransientSourceError(SourceError):
    """The service may answer later: network trouble, 5xx, 429. Retry the task."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class PermanentSourceError(SourceError):
    """The service rejected the request (4xx); repeating it will not help."""


class NotFound(PermanentSourceError):
    """The service does not know the requested record."""


class ConfigurationError(SourceError):
    """The site is not set up to use the service (missing or refused credentials)."""


class MalformedResponse(SourceError):
    """The service answered with a body that could not be parsed."""


def sleep(seconds: float) -> None:
    """Wait between attempts. Clients built without their own `sleep` call this one,
    looked up at each wait, so a test can replace it for every client at once."""
    time.sleep(seconds)


def make_session(user_agent: str) -> requests.Session:
    """Return a `requests.Session` that identifies the site to the service."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    return session


def parse_retry_after(
    value: str | None, *, now: datetime | None = None
) -> float | None:
    """Return the delay in seconds a Retry-After header asks for (seconds or a date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def is_retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


class HttpClient:
    """GET with bounded retries and exponential backoff, honouring Retry-After.

    `throttle` is called before every attempt (retries included), which is where a rate
    limiter plugs in. `sleep` is injectable so tests can record the delays instead of
    waiting them out; left out (or given as `time.sleep`, as the source clients do), the
    module-level `sleep` above is used.
    """

    def __init__(
        self,
        *,
        service: str,
        user_agent: str,
        timeout: float | tuple[float, float],
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        max_total_sleep: float = DEFAULT_MAX_TOTAL_SLEEP,
        sleep: Callable[[float], None] | None = None,
        throttle: Callable[[], None] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.service = service
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_total_sleep = max_total_sleep
        self.sleep = _module_sleep if sleep in (None, time.sleep) else sleep
        self.throttle = throttle
        self.session = session if session is not None else make_session(user_agent)
        if session is not None:
            self.session.headers["User-Agent"] = user_agent

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> requests.Response:
        """Return the response to GET `url`, retrying network errors, 429 and 5xx.

        Any other status, 4xx included, is returned for the caller to interpret.
        Raise TransientSourceError once the attempts or the sleep budget run out.
        """
        slept = 0.0
        attempt = 0
        while True:
            attempt += 1
            if self.throttle is not None:
                self.throttle()
            try:
                response = self.session.get(
                    url, params=params, headers=headers, auth=auth, timeout=self.timeout
                )
            except _BAD_URL_ERRORS as exc:
                raise ConfigurationError(
                    f"{self.service} URL is not usable: {url} ({exc})"
                ) from exc
            except _NETWORK_ERRORS as exc:
                failure: str = f"{type(exc).__name__}: {exc}"
                retry_after: float | None = None
                status: int | None = None
                error: Exception | None = exc
            else:
                if not is_retryable_status(response.status_code):
                    return response
                status = response.status_code
                failure = f"HTTP {status}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                error = None

            delay = (
                retry_after
                if retry_after is not None
                else self.backoff * 2 ** (attempt - 1)
            )
            if attempt >= self.max_attempts or slept + delay > self.max_total_sleep:
                message = (
                    f"{self.service} is unavailable ({failure}) "
                    f"after {attempt} attempt{'s' if attempt > 1 else ''}"
                )
                raise TransientSourceError(
                    message, status=status, retry_after=retry_after
                ) from error
            logger.warning(
                "%s request failed (%s), attempt %d of %d; retrying in %.1f s",
                self.service,
                failure,
                attempt,
                self.max_attempts,
                delay,
            )
            self.sleep(delay)
            slept += delay


def _module_sleep(seconds: float) -> None:
    sleep(seconds)


def error_message(response: requests.Response, limit: int = 300) -> str:
    """Return the start of a response body, for error messages."""
    text = response.text.strip()
    if len(text) > limit:
        return text[:limit] + "..."
    return text


def raise_for_status(response: requests.Response, *, service: str, what: str) -> None:
    """Raise the matching SourceError for a non-2xx response the caller did not handle.

    `what` names the requested thing in messages ("DOI 10.1038/nature14539").
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 404 or status == 410:
        raise NotFound(f"{what} not found on {service}", status=status)
    if is_retryable_status(status):
        raise TransientSourceError(
            f"{service} is unavailable (HTTP {status})",
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    raise PermanentSourceError(
        f"{service} rejected the request for {what} (HTTP {status}): "
        f"{error_message(response)}",
        status=status,
    )
