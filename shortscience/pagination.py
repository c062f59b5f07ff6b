"""Pagination for HTML pages: numbered pages, and keyset cursors for long lists.

`paginate` serves `?page=N` lists. Lists that grow without bound (search, wanted, a
reader's feed) use keyset cursors instead: a cursor is URL-safe base64 of a small JSON
list, the sort key of a page's last row, so page 50 costs what page 1 costs. Anything
that does not decode to the expected shape raises InvalidCursor, which pages show as
"start again" (never a 500). The JSON API has its own signed cursors (api/pagination.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404

MAX_CURSOR_LENGTH = 200


def page_asked(request) -> int:
    """The page number ?page= names: 1 when it is not a positive number."""
    try:
        number = int(request.GET.get("page", "1"))
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def paginate(request, object_list, per_page: int = 20) -> Page:
    """Return the page named by ?page=; page 1 when it is not a number, 404 past the end."""
    paginator = Paginator(object_list, per_page)
    number = page_asked(request)
    limit = settings.ANONYMOUS_MAX_PAGE
    user = getattr(request, "user", None)
    if number > limit and not (user and user.is_authenticated):
        if number > paginator.num_pages:
            raise Http404("No such page")
        # Crawlers walk list pages to the end; people use search or sign in.
        raise PermissionDenied(
            f"Pages past {limit} are for signed-in readers; search, or sign in."
        )
    try:
        return paginator.page(number)
    except EmptyPage as exc:
        raise Http404("No such page") from exc


class InvalidCursor(ValueError):
    """Raised for a cursor this site did not make; `message` is for the reader."""

    def __init__(self) -> None:
        self.message = (
            "That page link is broken or out of date; here is the first page."
        )
        super().__init__(self.message)


def encode_cursor(*values) -> str:
    """Return a cursor holding `values` (numbers, strings, aware datetimes)."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple:
    """Return the values of `cursor`, checked against `types`, or raise InvalidCursor."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc
    if not isinstance(values, list) or len(values) != len(types):
        raise InvalidCursor()
    out = []
    for value, kind in zip(values, types, strict=True):
        out.append(_convert(value, kind))
    return tuple(out)


def _convert(value, kind: type):
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError as exc:
            raise InvalidCursor() from exc
        if not math.isfinite(number):
            raise InvalidCursor()
        return number
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        if not -(2**63) < value < 2**63:
            raise InvalidCursor()  # the database would refuse it
        return value
    if kind is str and isinstance(value, str):
        return value
    if kind is datetime and isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidCursor() from exc
        if parsed.tzinfo is None:
            raise InvalidCursor()
        return parsed
    raise InvalidCursor()
