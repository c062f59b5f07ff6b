"""arXiv's OAI-PMH interface (https://info.arxiv.org/help/oa/index.html): new and updated papers.

ListRecords is asked for in arXiv's own metadata format (`metadataPrefix=arXiv`), whose
records carry the arXiv id, the first submission (`created`) and latest version
(`updated`) dates, authors as keyname + forenames, the categories, the authors' comments,
DOI, journal reference and abstract. A long list comes in pages: each page ends with a
<resumptionToken>, and the token of the last page is empty. "noRecordsMatch" is the
protocol's way to say "nothing new", not a failure. arXiv answers a client that comes
too often with 503 and Retry-After, which HttpClient honours.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # element types only; parsing goes through defusedxml  # nosec B405
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from shortscience.identifiers import InvalidIdentifier, parse_arxiv_id, parse_doi

from .http import HttpClient, MalformedResponse, PermanentSourceError, raise_for_status

DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
METADATA_PREFIX = "arXiv"

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"


@dataclass(frozen=True)
class OaiRecord:
    arxiv_id: str
    datestamp: date | None
    created: date | None
    updated: date | None
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    doi: str | None
    journal_ref: str | None
    comment: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class OaiPage:
    records: tuple[OaiRecord, ...]
    # None when the list is complete (no token, or the last page's empty one).
    resumption_token: str | None
    complete_list_size: int | None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(element: ET.Element | None, tag: str) -> str:
    if element is None:
        return ""
    child = element.find(tag)
    return _clean("".join(child.itertext())) if child is not None else ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _author(author: ET.Element) -> str:
    forenames = _text(author, ARXIV + "forenames")
    keyname = _text(author, ARXIV + "keyname")
    suffix = _text(author, ARXIV + "suffix")
    return " ".join(part for part in (forenames, keyname, suffix) if part)


def _record(element: ET.Element) -> OaiRecord | None:
    header = element.find(OAI + "header")
    if header is None:
        raise MalformedResponse("OAI-PMH record without a header")
    identifier = _text(header, OAI + "identifier")
    try:
        arxiv_id = parse_arxiv_id(identifier.rsplit(":", 1)[-1]).id
    except InvalidIdentifier:
        return None
    datestamp = _date(_text(header, OAI + "datestamp"))
    if header.get("status") == "deleted":
        return OaiRecord(
            arxiv_id, datestamp, None, None, "", "", (), (), None, None, deleted=True
        )
    meta = element.find(f"{OAI}metadata/{ARXIV}arXiv")
    if meta is None:
        raise MalformedResponse(f"OAI-PMH record {identifier} has no arXiv metadata")
    authors = tuple(
        name
        for name in (_author(a) for a in meta.iterfind(f"{ARXIV}authors/{ARXIV}author"))
        if name
    )
    doi_text = _text(meta, ARXIV + "doi").split(" ")[0]
    return OaiRecord(
        arxiv_id=arxiv_id,
        datestamp=datestamp,
        created=_date(_text(meta, ARXIV + "created")),
        updated=_date(_text(meta, ARXIV + "updated")),
        title=_text(meta, ARXIV + "title"),
        abstract=_text(meta, ARXIV + "abstract"),
        authors=authors,
        categories=tuple(_text(meta, ARXIV + "categories").split()),
        doi=parse_doi(doi_text) if doi_text else None,
        journal_ref=_text(meta, ARXIV + "journal-ref") or None,
        comment=_text(meta, ARXIV + "comments") or None,
    )


def parse_list_records(xml: bytes | str) -> OaiPage:
    """Parse one ListRecords answer (a page) in arXiv's metadata format."""
    try:
        root = defused_fromstring(xml)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise MalformedResponse(f"arXiv OAI-PMH answered with bad XML: {exc}") from exc
    if root.tag != OAI + "OAI-PMH":
        raise MalformedResponse(f"arXiv OAI-PMH answered with <{root.tag}>")
    error = root.find(OAI + "error")
    if error is not None:
        if error.get("code") == "noRecordsMatch":
            return OaiPage((), None, 0)
        raise PermanentSourceError(
            f"arXiv OAI-PMH error {error.get('code')}: {_clean(error.text)}"
        )
    listing = root.find(OAI + "ListRecords")
    if listing is None:
        raise MalformedResponse("arXiv OAI-PMH answer has no ListRecords")
    records = tuple(
        record
        for record in (_record(r) for r in listing.iterfind(OAI + "record"))
        if record is not None
    )
    token_element = listing.find(OAI + "resumptionToken")
    token: str | None = None
    size: int | None = None
    if token_element is not None:
        token = _clean(token_element.text) or None
        size_text = token_element.get("completeListSize", "")
        size = int(size_text) if size_text.isdigit() else None
    return OaiPage(records, token, size)


class OaiClient:
    """Harvest arXiv's OAI-PMH interface one page at a time."""

    def __init__(self, *, http: HttpClient, base_url: str = DEFAULT_OAI_URL) -> None:
        """Use `http` for every request (clients.oai_client() builds one from settings)."""
        self.base_url = base_url
        self.http = http

    def list_records(
        self,
        *,
        set_spec: str = "",
        from_date: date | None = None,
        until: date | None = None,
        token: str | None = None,
    ) -> OaiPage:
        """Return the first page of a selective harvest, or the page `token` names."""
        params: Mapping[str, str]
        if token:
            # A resumption request names the token and nothing else (OAI-PMH 2.0, 3.5).
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            query = {"verb": "ListRecords", "metadataPrefix": METADATA_PREFIX}
            if set_spec:
                query["set"] = set_spec
            if from_date:
                query["from"] = from_date.isoformat()
            if until:
                query["until"] = until.isoformat()
            params = query
        response = self.http.get(self.base_url, params=params)
        raise_for_status(response, service="arXiv OAI-PMH", what="ListRecords")
        return parse_list_records(response.content)
