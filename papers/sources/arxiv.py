"""arXiv API client (https://info.arxiv.org/help/api/user-manual.html) and Atom parser.

The parser reads both generations of the API's Atom: the older one declares the
`opensearch` and `arxiv` namespaces on each element and links over http, today's
declares them once on <feed>, links over https and orders elements differently.
ElementTree resolves namespaces either way, and nothing here depends on element order.

Responses are parsed with defusedxml, which refuses entity declarations and external
references outright, whatever the expat version underneath.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # element types only; parsing goes through defusedxml  # nosec B405
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from shortscience.identifiers import (
    ArxivId,
    InvalidIdentifier,
    parse_arxiv_id,
    parse_doi,
)

from .http import (
    HttpClient,
    MalformedResponse,
    NotFound,
    PermanentSourceError,
    SourceError,
    TransientSourceError,
    error_message,
    raise_for_status,
)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
# The API manual asks for id_list requests of a reasonable size; 100 keeps each answer
# small and well inside max_results limits.
MAX_BATCH_SIZE = 100

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

_ERROR_ID = re.compile(r"#\w*?_for_(?P<id>\S+)$")


@dataclass(frozen=True)
class ArxivAuthor:
    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArxivRecord:
    """One arXiv entry. `arxiv_id` never carries the version; `version` holds it."""

    arxiv_id: str
    version: int | None
    title: str
    abstract: str
    authors: tuple[ArxivAuthor, ...]
    published: datetime
    updated: datetime
    primary_category: str | None
    categories: tuple[str, ...]
    doi: str | None
    journal_ref: str | None
    comment: str | None
    abs_url: str
    pdf_url: str | None

    @property
    def versioned_id(self) -> str:
        return str(ArxivId(self.arxiv_id, self.version))


@dataclass(frozen=True)
class ArxivFeedError:
    """An error entry in a feed. `arxiv_id` is the id it names, when it names one."""

    arxiv_id: str | None
    message: str
    url: str


@dataclass(frozen=True)
class ArxivFeed:
    records: tuple[ArxivRecord, ...]
    errors: tuple[ArxivFeedError, ...]
    total_results: int | None


def _clean(text: str | None) -> str | None:
    """Collapse runs of whitespace (newlines included) to one space and strip."""
    if text is None:
        return None
    return " ".join(text.split())


def _child_text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None:
        return None
    return "".join(child.itertext())


def _datetime(entry: ET.Element, tag: str, entry_id: str) -> datetime:
    text = _child_text(entry, ATOM + tag)
    if text is None:
        raise MalformedResponse(f"arXiv entry {entry_id} has no <{tag}>")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise MalformedResponse(
            f"arXiv entry {entry_id} has an unreadable <{tag}>: {text!r}"
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _error_entry(entry_id: str, entry: ET.Element) -> ArxivFeedError:
    match = _ERROR_ID.search(entry_id)
    named_id: str | None = None
    if match:
        try:
            named_id = str(parse_arxiv_id(match["id"]))
        except InvalidIdentifier:
            # The error names something that is not an id (that is usually why it is
            # an error); keep it so the message can still be matched to the request.
            named_id = match["id"]
    message = _clean(_child_text(entry, ATOM + "summary"))
    return ArxivFeedError(
        named_id, message if message is not None else "unknown error", entry_id
    )


def _parse_doi(text: str | None) -> str | None:
    cleaned = _clean(text)
    if cleaned is None or cleaned == "":
        return None
    # The field occasionally lists several DOIs separated by spaces; the first is the
    # published version.
    first = cleaned.split()[0]
    parsed = parse_doi(first)
    return parsed if parsed is not None else first


def _optional(text: str | None) -> str | None:
    cleaned = _clean(text)
    if cleaned is None or cleaned == "":
        return None
    return cleaned


def _parse_entry(entry: ET.Element) -> ArxivRecord | ArxivFeedError:
    raw_id = _clean(_child_text(entry, ATOM + "id"))
    if raw_id is None or raw_id == "":
        raise MalformedResponse("arXiv entry without <id>")
    if "arxiv.org/api/errors" in raw_id:
        return _error_entry(raw_id, entry)
    try:
        parsed_id = parse_arxiv_id(raw_id)
    except InvalidIdentifier as exc:
        raise MalformedResponse(
            f"arXiv entry with an unreadable id {raw_id!r}"
        ) from exc

    authors = []
    for author in entry.findall(ATOM + "author"):
        name = _clean(_child_text(author, ATOM + "name"))
        affiliations = tuple(
            text
            for text in (
                _clean("".join(affiliation.itertext()))
                for affiliation in author.findall(ARXIV + "affiliation")
            )
            if text
        )
        if name:
            authors.append(ArxivAuthor(name, affiliations))

    abs_url: str | None = None
    pdf_url: str | None = None
    doi_url: str | None = None
    for link in entry.findall(ATOM + "link"):
        href = link.get("href")
        if href is None:
            continue
        if link.get("rel") == "alternate" and abs_url is None:
            abs_url = href
        elif link.get("title") == "pdf":
            pdf_url = href
        elif link.get("title") == "doi":
            doi_url = href

    doi = _parse_doi(_child_text(entry, ARXIV + "doi"))
    if doi is None and doi_url is not None:
        doi = parse_doi(doi_url)

    categories: list[str] = []
    for category in entry.findall(ATOM + "category"):
        term = category.get("term")
        if term and term not in categories:
            categories.append(term)
    primary = entry.find(ARXIV + "primary_category")
    primary_category = primary.get("term") if primary is not None else None
    if primary_category is None and categories:
        primary_category = categories[0]

    title = _clean(_child_text(entry, ATOM + "title"))
    abstract = _clean(_child_text(entry, ATOM + "summary"))
    return ArxivRecord(
        arxiv_id=parsed_id.id,
        version=parsed_id.version,
        title=title if title is not None else "",
        abstract=abstract if abstract is not None else "",
        authors=tuple(authors),
        published=_datetime(entry, "published", raw_id),
        updated=_datetime(entry, "updated", raw_id),
        primary_category=primary_category,
        categories=tuple(categories),
        doi=doi,
        journal_ref=_optional(_child_text(entry, ARXIV + "journal_ref")),
        comment=_optional(_child_text(entry, ARXIV + "comment")),
        abs_url=abs_url if abs_url is not None else raw_id,
        pdf_url=pdf_url,
    )


def parse_feed(xml: bytes | str) -> ArxivFeed:
    """Parse an arXiv API Atom feed into records and error entries."""
    try:
        root = defused_fromstring(xml)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise MalformedResponse(f"arXiv answered with malformed XML: {exc}") from exc
    if root.tag != ATOM + "feed":
        raise MalformedResponse(f"arXiv answered with <{root.tag}>, not an Atom feed")

    records: list[ArxivRecord] = []
    errors: list[ArxivFeedError] = []
    for entry in root.findall(ATOM + "entry"):
        parsed = _parse_entry(entry)
        if isinstance(parsed, ArxivFeedError):
            errors.append(parsed)
        else:
            records.append(parsed)

    total_text = _child_text(root, OPENSEARCH + "totalResults")
    total: int | None = None
    if total_text is not None and total_text.strip().isdigit():
        total = int(total_text.strip())
    return ArxivFeed(tuple(records), tuple(errors), total)


def _chunks(items: Sequence[ArxivId], size: int) -> Iterable[list[ArxivId]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _find_record(wanted: ArxivId, records: Sequence[ArxivRecord]) -> ArxivRecord | None:
    same_paper = [record for record in records if record.arxiv_id == wanted.id]
    for record in same_paper:
        if wanted.version is None or record.version == wanted.version:
            return record
    return same_paper[0] if same_paper else None


class ArxivClient:
    """Fetch arXiv metadata by id or by title, one rate-limited request at a time."""

    def __init__(
        self,
        *,
        http: HttpClient,
        base_url: str = DEFAULT_API_URL,
        batch_size: int = MAX_BATCH_SIZE,
    ) -> None:
        """Use `http` for every request (clients.arxiv_client() builds one from settings).

        Its throttle is where the arXiv rate limit plugs in.
        """
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_SIZE}")
        self.base_url = base_url
        self.batch_size = batch_size
        self.http = http

    def fetch(
        self, ids: Iterable[str | ArxivId]
    ) -> dict[str, ArxivRecord | SourceError]:
        """Return a mapping from each requested id (as given) to its record or error.

        Ids are sent `batch_size` at a time. An id arXiv does not know maps to NotFound
        and one it rejects to PermanentSourceError, without failing the rest of its
        batch. After a TransientSourceError no further batches are sent; the remaining
        ids map to that error so the caller can retry them later.
        """
        keys: list[str] = []
        parsed: dict[str, ArxivId] = {}
        outcomes: dict[str, ArxivRecord | SourceError] = {}
        for raw in ids:
            key = str(raw)
            if key in parsed or key in outcomes:
                continue
            keys.append(key)
            try:
                parsed[key] = raw if isinstance(raw, ArxivId) else parse_arxiv_id(raw)
            except InvalidIdentifier as exc:
                outcomes[key] = PermanentSourceError(exc.message)

        unique = list(dict.fromkeys(parsed.values()))
        by_id: dict[ArxivId, ArxivRecord | SourceError] = {}
        transient: TransientSourceError | None = None
        for batch in _chunks(unique, self.batch_size):
            if transient is not None:
                by_id.update(dict.fromkeys(batch, transient))
                continue
            try:
                by_id.update(self._fetch_batch(batch))
            except TransientSourceError as exc:
                transient = exc
                by_id.update(dict.fromkeys(batch, exc))
            except SourceError as exc:
                by_id.update(dict.fromkeys(batch, exc))

        for key, arxiv_id in parsed.items():
            outcomes[key] = by_id[arxiv_id]
        return {key: outcomes[key] for key in keys}

    def fetch_one(self, arxiv_id: str | ArxivId) -> ArxivRecord:
        """Return the record for one id; raise its SourceError if there is none."""
        outcome = self.fetch([arxiv_id])[str(arxiv_id)]
        if isinstance(outcome, SourceError):
            raise outcome
        return outcome

    def search_title(self, title: str, max_results: int = 10) -> list[ArxivRecord]:
        """Return the entries whose title contains `title` as a phrase."""
        # Quotes and backslashes would end the phrase early or escape the closing quote;
        # arXiv matches words, so dropping them loses nothing.
        words = re.sub(r'["\\]', " ", title).split()
        if not words:
            return []
        query = 'ti:"{}"'.format(" ".join(words))
        response = self.http.get(
            self.base_url,
            params={"search_query": query, "start": 0, "max_results": max_results},
        )
        if response.status_code == 400:
            raise PermanentSourceError(
                f"arXiv rejected the title search {query}: {self._reason(response)}",
                status=400,
            )
        raise_for_status(response, service="arXiv", what=f"search {query}")
        return list(parse_feed(response.content).records)

    def search_titles(
        self, titles: Sequence[str], max_results: int | None = None
    ) -> list[ArxivRecord]:
        """Return the entries whose title contains any of `titles` as a phrase.

        One request for the whole batch (`ti:"a" OR ti:"b" ...`); the caller matches
        the entries back to its titles.
        """
        phrases = []
        for title in titles:
            words = re.sub(r'["\\()]', " ", title).split()
            if words:
                phrases.append('ti:"{}"'.format(" ".join(words)))
        if not phrases:
            return []
        query = " OR ".join(phrases)
        if max_results is None:
            max_results = min(MAX_BATCH_SIZE, 3 * len(phrases))
        response = self.http.get(
            self.base_url,
            params={"search_query": query, "start": 0, "max_results": max_results},
        )
        if response.status_code == 400:
            raise PermanentSourceError(
                f"arXiv rejected the title search: {self._reason(response)}",
                status=400,
            )
        raise_for_status(response, service="arXiv", what="a title search")
        return list(parse_feed(response.content).records)

    def _reason(self, response: requests.Response) -> str:
        try:
            feed = parse_feed(response.content)
        except MalformedResponse:
            return error_message(response)
        if feed.errors:
            return feed.errors[0].message
        return error_message(response)

    def _fetch_batch(
        self, batch: list[ArxivId]
    ) -> dict[ArxivId, ArxivRecord | SourceError]:
        outcomes: dict[ArxivId, ArxivRecord | SourceError] = {}
        pending = list(batch)
        while pending:
            response = self.http.get(
                self.base_url,
                params={
                    "id_list": ",".join(str(arxiv_id) for arxiv_id in pending),
                    "start": 0,
                    "max_results": len(pending),
                },
            )
            if response.status_code == 400:
                rejected = self._rejected_ids(response, pending)
                if not rejected:
                    # The error does not say which id is at fault, so it is every id's.
                    reason = self._reason(response)
                    for arxiv_id in pending:
                        outcomes[arxiv_id] = PermanentSourceError(
                            f"arXiv rejected the id {arxiv_id}: {reason}", status=400
                        )
                    return outcomes
                outcomes.update(rejected)
                # Ask again for the ids the error did not name.
                pending = [i for i in pending if i not in rejected]
                continue

            what = "id " + ",".join(str(arxiv_id) for arxiv_id in pending)
            raise_for_status(response, service="arXiv", what=what)
            feed = parse_feed(response.content)
            errors = {error.arxiv_id: error for error in feed.errors}
            for arxiv_id in pending:
                record = _find_record(arxiv_id, feed.records)
                if record is not None:
                    outcomes[arxiv_id] = record
                elif str(arxiv_id) in errors:
                    outcomes[arxiv_id] = PermanentSourceError(
                        f"arXiv rejected the id {arxiv_id}: "
                        f"{errors[str(arxiv_id)].message}"
                    )
                else:
                    outcomes[arxiv_id] = NotFound(f"{arxiv_id} not found on arXiv")
            return outcomes
        return outcomes

    def _rejected_ids(
        self, response: requests.Response, pending: list[ArxivId]
    ) -> dict[ArxivId, SourceError]:
        try:
            feed = parse_feed(response.content)
        except MalformedResponse:
            return {}
        named = {error.arxiv_id: error.message for error in feed.errors}
        return {
            arxiv_id: PermanentSourceError(
                f"arXiv rejected the id {arxiv_id}: {named[str(arxiv_id)]}", status=400
            )
            for arxiv_id in pending
            if str(arxiv_id) in named
        }
