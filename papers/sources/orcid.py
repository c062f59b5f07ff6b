"""ORCID public API v3.0 client (https://pub.orcid.org/v3.0): a researcher's works.

`/{orcid}/works` lists the works on an ORCID record in groups, one group per work,
each with the identifiers (`external-ids`) the sources agree on and one summary per
source. Only the identifiers matter here: DOIs and arXiv ids, to recognise a paper on
the site as one of the researcher's own. The client asks for JSON; the parser also
reads the XML form of the same document (ORCID's published v3.0 samples are XML).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # element types only; parsing goes through defusedxml  # nosec B405
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from shortscience.identifiers import InvalidIdentifier, parse_arxiv_id, parse_doi

from .http import HttpClient, MalformedResponse, raise_for_status

DEFAULT_API_URL = "https://pub.orcid.org/v3.0"
JSON_TYPE = "application/vnd.orcid+json"
COMMON = "{http://www.orcid.org/ns/common}"
ACTIVITIES = "{http://www.orcid.org/ns/activities}"
# arXiv's own DOIs (since 2022) name the arXiv id: 10.48550/arXiv.2003.08934.
ARXIV_DOI_PREFIX = "10.48550/arxiv."


@dataclass(frozen=True)
class OrcidWorks:
    """The identifiers of the works on one ORCID record."""

    orcid: str
    dois: frozenset[str]
    arxiv_ids: frozenset[str]
    count: int  # works (groups) on the record


def arxiv_key(value: str) -> str:
    """Return an arXiv id without version and prefix, for comparison.

    An id that does not parse (ORCID stores what its sources send) is compared as it
    was given, lower-cased.
    """
    try:
        return parse_arxiv_id(value).id
    except InvalidIdentifier:
        return value.strip().lower()


def _collect(ids: Iterable[tuple[str, str]], orcid: str, count: int) -> OrcidWorks:
    dois: set[str] = set()
    arxiv_ids: set[str] = set()
    for kind, value in ids:
        kind = kind.strip().lower()
        if not value.strip():
            continue
        if kind == "doi":
            doi = parse_doi(value)
            if doi is None:
                continue
            dois.add(doi)
            if doi.startswith(ARXIV_DOI_PREFIX):
                arxiv_ids.add(arxiv_key(doi[len(ARXIV_DOI_PREFIX) :]))
        elif kind == "arxiv":
            arxiv_ids.add(arxiv_key(value))
    return OrcidWorks(
        orcid=orcid, dois=frozenset(dois), arxiv_ids=frozenset(arxiv_ids), count=count
    )


def _json_ids(group: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """Yield (type, value) of a group's identifiers and of its summaries' identifiers."""
    holders = [group, *(group.get("work-summary") or [])]
    for holder in holders:
        if not isinstance(holder, Mapping):
            continue
        external = holder.get("external-ids") or {}
        for item in external.get("external-id") or []:
            if not isinstance(item, Mapping):
                continue
            kind, value = item.get("external-id-type"), item.get("external-id-value")
            if isinstance(kind, str) and isinstance(value, str):
                yield kind, value


def parse_works(payload: bytes | str, *, orcid: str) -> OrcidWorks:
    """Parse a `/{orcid}/works` answer, JSON or XML, into the identifiers it lists."""
    text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
    if text.lstrip().startswith("<"):
        return _parse_works_xml(text, orcid=orcid)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MalformedResponse(f"ORCID answered with malformed JSON: {exc}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("group"), list):
        raise MalformedResponse("ORCID's answer has no list of works")
    groups = [g for g in data["group"] if isinstance(g, Mapping)]
    ids = (pair for group in groups for pair in _json_ids(group))
    return _collect(ids, orcid, len(groups))


def _parse_works_xml(text: str, *, orcid: str) -> OrcidWorks:
    try:
        root: ET.Element = defused_fromstring(text)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise MalformedResponse(f"ORCID answered with malformed XML: {exc}") from exc
    groups = root.findall(f"{ACTIVITIES}group")
    ids = [
        (
            (item.findtext(f"{COMMON}external-id-type") or ""),
            (item.findtext(f"{COMMON}external-id-value") or ""),
        )
        for group in groups
        for item in group.iter(f"{COMMON}external-id")
    ]
    return _collect(ids, orcid, len(groups))


class OrcidClient:
    """Read public ORCID records: no credentials needed for public works."""

    def __init__(self, *, http: HttpClient, base_url: str = DEFAULT_API_URL) -> None:
        """Use `http` for every request (clients.orcid_client() builds one)."""
        self.base_url = base_url.rstrip("/")
        self.http = http

    def works(self, orcid: str) -> OrcidWorks:
        """Return the DOIs and arXiv ids of the works on the record `orcid`."""
        response = self.http.get(
            f"{self.base_url}/{orcid}/works", headers={"Accept": JSON_TYPE}
        )
        raise_for_status(response, service="ORCID", what=f"ORCID record {orcid}")
        return parse_works(response.content, orcid=orcid)
