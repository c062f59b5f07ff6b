"""Crossref REST API client (https://api.crossref.org) for metadata by DOI."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from shortscience.identifiers import parse_doi

from .http import (
    HttpClient,
    MalformedResponse,
    PermanentSourceError,
    raise_for_status,
)

DEFAULT_API_URL = "https://api.crossref.org"
# Crossref deposits several dates; the print date is the one citations use.
_DATE_FIELDS = ("published-print", "published-online", "issued")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class CrossrefWork:
    doi: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str | None
    url: str | None
    abstract: str | None
    type: str | None


def _strip_markup(text: str) -> str:
    """Drop JATS/HTML tags and entities and collapse whitespace."""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        for value in values:
            if isinstance(value, str) and value.strip() != "":
                return value
    return None


def _year(message: Mapping[str, Any]) -> int | None:
    for field in _DATE_FIELDS:
        date = message.get(field)
        if not isinstance(date, Mapping):
            continue
        parts = date.get("date-parts")
        if (
            isinstance(parts, list)
            and parts
            and isinstance(parts[0], list)
            and parts[0]
            and isinstance(parts[0][0], int)
        ):
            return parts[0][0]
    return None


def _author_name(author: Mapping[str, Any]) -> str | None:
    given = author.get("given")
    family = author.get("family")
    parts = [part.strip() for part in (given, family) if isinstance(part, str)]
    name = " ".join(part for part in parts if part != "")
    if name != "":
        return name
    # Organisations come with a single "name".
    organisation = author.get("name")
    if isinstance(organisation, str) and organisation.strip() != "":
        return organisation.strip()
    return None


def parse_work(payload: bytes | str | Mapping[str, Any]) -> CrossrefWork:
    """Parse a `/works/{doi}` answer (`{"status": "ok", "message": {...}}`)."""
    if isinstance(payload, bytes | str):
        try:
            data = json.loads(payload)
        except ValueError as exc:
            raise MalformedResponse(
                f"Crossref answered with malformed JSON: {exc}"
            ) from exc
    else:
        data = payload
    if not isinstance(data, Mapping) or data.get("status") != "ok":
        raise MalformedResponse("Crossref answered without status ok")
    message = data.get("message")
    if not isinstance(message, Mapping) or not isinstance(message.get("DOI"), str):
        raise MalformedResponse("Crossref answer has no work in it")

    title = _first(message.get("title"))
    authors = tuple(
        name
        for name in (
            _author_name(author)
            for author in message.get("author", [])
            if isinstance(author, Mapping)
        )
        if name is not None
    )
    venue = _first(message.get("container-title"))
    abstract = message.get("abstract")
    url = message.get("URL")
    kind = message.get("type")
    doi = message["DOI"]
    parsed_doi = parse_doi(doi)
    return CrossrefWork(
        doi=parsed_doi if parsed_doi is not None else doi.lower(),
        title=_strip_markup(title) if title is not None else "",
        authors=authors,
        year=_year(message),
        venue=_strip_markup(venue) if venue is not None else None,
        url=url if isinstance(url, str) else None,
        abstract=_strip_markup(abstract) if isinstance(abstract, str) else None,
        type=kind if isinstance(kind, str) else None,
    )


class CrossrefClient:
    """Fetch work metadata from Crossref by DOI."""

    def __init__(self, *, http: HttpClient, base_url: str = DEFAULT_API_URL) -> None:
        """Use `http` for every request (clients.crossref_client() builds one)."""
        self.base_url = base_url.rstrip("/")
        self.http = http

    def work(self, doi: str) -> CrossrefWork:
        """Return the work registered under `doi` (any form parse_doi accepts)."""
        parsed = parse_doi(doi)
        if parsed is None:
            raise PermanentSourceError(f"{doi!r} is not a DOI")
        # DOIs may hold ?, # and ; which must not end the path; the slash stays as is.
        response = self.http.get(f"{self.base_url}/works/{quote(parsed, safe='/')}")
        raise_for_status(response, service="Crossref", what=f"DOI {parsed}")
        return parse_work(response.content)
