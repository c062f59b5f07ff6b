"""Opaque keyset cursors: stable pages however many rows are added meanwhile.

A cursor is the signed position of the last row of a page, so clients cannot
forge one and a page never repeats or skips a row when new rows arrive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

_SALT = "api.cursor"


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Keyset:
    """Order rows newest first by (`field` desc, pk desc); `field` None means pk only.

    `ascending` turns the order round, for lists read alphabetically (venues by name).
    """

    field: str | None = None
    ascending: bool = False

    @property
    def _sign(self) -> str:
        return "" if self.ascending else "-"

    @property
    def _beyond(self) -> str:
        return "gt" if self.ascending else "lt"

    def order(self, qs: QuerySet) -> QuerySet:
        if self.field is None:
            return qs.order_by(f"{self._sign}pk")
        return qs.filter(**{f"{self.field}__isnull": False}).order_by(
            f"{self._sign}{self.field}", f"{self._sign}pk"
        )

    def position(self, row) -> list:
        if self.field is None:
            return [row.pk]
        value = getattr(row, self.field)
        return [value.isoformat() if isinstance(value, dt.datetime) else value, row.pk]

    def after(self, qs: QuerySet, position: list) -> QuerySet:
        beyond = self._beyond
        if self.field is None:
            (pk,) = position
            return qs.filter(**{f"pk__{beyond}": pk})
        value, pk = position
        return qs.filter(
            Q(**{f"{self.field}__{beyond}": value})
            | Q(**{self.field: value, f"pk__{beyond}": pk})
        )


def encode(keyset_name: str, position: list) -> str:
    return signing.dumps([keyset_name, position], salt=_SALT, compress=True)


def decode(keyset_name: str, cursor: str) -> list:
    """Return the position a cursor holds, or raise BadCursor."""
    try:
        name, position = signing.loads(cursor, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor("not a cursor this API gave out") from exc
    if name != keyset_name or not isinstance(position, list):
        raise BadCursor("this cursor belongs to another list")
    return position


def paginate(
    request, qs: QuerySet, *, keyset: Keyset, name: str, cursor: str | None, limit: int
) -> dict:
    """Return {"results": rows, "next": url or None} for one page of `qs`."""
    qs = keyset.order(qs)
    if cursor:
        position = decode(name, cursor)
        try:
            qs = keyset.after(qs, position)
        except (ValueError, TypeError, ValidationError) as exc:
            raise BadCursor("this cursor belongs to another list") from exc
    rows = list(qs[: limit + 1])
    next_url = None
    if len(rows) > limit:
        rows = rows[:limit]
        params = request.GET.copy()
        params["cursor"] = encode(name, keyset.position(rows[-1]))
        next_url = request.build_absolute_uri(
            f"{request.path}?{urlencode(sorted(params.lists()), doseq=True)}"
        )
    return {"results": rows, "next": next_url}
