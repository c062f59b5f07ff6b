"""dblp publication search API client (https://dblp.org/faq/How+to+use+the+dblp+search+API.html).

A venue-year is one dblp table of contents ("db/conf/nips/nips2017.bht"); the search API
answers the query `toc:<that file>:` page by page (`h` records from offset `f`). The
client asks for `format=bib`: that is the answer recorded in full for whole volumes
(dblp's own BibTeX, one `@inproceedings` or `@article` per paper plus the volume's
`@proceedings` record), while no table-of-contents answer in JSON or XML has been
recorded anywhere, so the parser reads the format whose shape is known.

An answer with fewer records than asked for is the last page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .bibsonomy import BibEntry, entry_from_fields
from .http import HttpClient, MalformedResponse, raise_for_status

DEFAULT_API_URL = "https://dblp.org/search/publ/api"
# dblp answers at most 1,000 hits per request.
MAX_PAGE_SIZE = 1000
# Entry types that describe a whole volume, not a paper in it.
_VOLUME_TYPES = {"proceedings", "book"}
_KEY_PREFIX = "DBLP:"
# dblp tells namesakes apart with a number ("Xiaopeng Zhang 0009"); it is not the name.
_HOMONYM_NUMBER = re.compile(r"\s+\d{4}$")

# dblp names most tables of contents "<venue><year>"; these venues use another name.
# NeurIPS's files are "neurips<year>" from 2020 (db/conf/nips/neurips2020.bht); JMLR's
# are by volume, one per year since volume 1 in 2000.
_TOC_RULES = {
    "conf/nips": lambda year: f"neurips{year}" if year >= 2020 else f"nips{year}",
    "journals/jmlr": lambda year: f"jmlr{year - 1999}",
}


def toc_name(key: str, year: int) -> str:
    """Return the table-of-contents file dblp keeps a venue-year in ("db/conf/iclr/iclr2019.bht")."""
    key = key.strip().strip("/")
    rule = _TOC_RULES.get(key)
    name = rule(year) if rule else f"{key.rsplit('/', 1)[-1]}{year}"
    return f"db/{key}/{name}.bht"


@dataclass(frozen=True)
class DblpRecord:
    """One paper of a dblp table of contents; `key` carries no "DBLP:" prefix."""

    key: str
    entrytype: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str | None
    doi: str | None
    arxiv_id: str | None
    links: tuple[str, ...]

    @property
    def venue_key(self) -> str:
        """The venue part of the key: "conf/nips" for "conf/nips/VaswaniSPUJGKP17"."""
        return "/".join(self.key.split("/")[:2])


def _record(entry: BibEntry) -> DblpRecord:
    key = entry.bibtex_key
    if key.startswith(_KEY_PREFIX):
        key = key[len(_KEY_PREFIX) :]
    links: list[str] = []
    if entry.url:
        links.append(entry.url)
    if entry.doi:
        doi_link = f"https://doi.org/{entry.doi}"
        if doi_link not in links:
            links.append(doi_link)
    return DblpRecord(
        key=key,
        entrytype=entry.entrytype,
        title=entry.title,
        authors=tuple(_HOMONYM_NUMBER.sub("", name) for name in entry.authors),
        year=entry.year,
        venue=entry.venue,
        doi=entry.doi.lower() if entry.doi else None,
        arxiv_id=entry.arxiv_id,
        links=tuple(links),
    )


@dataclass(frozen=True)
class DblpPage:
    records: tuple[DblpRecord, ...]
    # Every entry the page held, the volume's own record included: paging counts these.
    entry_count: int


_ENTRY_HEAD = re.compile(r"^@(?P<type>\w+)\{(?P<key>[^,\s]+),", re.M)
_FIELD_NAME = re.compile(r"\s*(?P<name>\w+)\s*=\s*")


def _braced(text: str, start: int) -> tuple[str, int]:
    """Return the value of the braced group opening at `start` and the index after it."""
    depth = 0
    for position in range(start, len(text)):
        char = text[position]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : position], position + 1
    raise MalformedResponse("dblp BibTeX has an unclosed brace")


def _fields(text: str, start: int, end: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = start
    while True:
        match = _FIELD_NAME.match(text, position, end)
        if match is None:
            return fields
        position = match.end()
        if position < end and text[position] == "{":
            value, position = _braced(text, position)
        else:
            bare = re.match(r"[^,}\s]*", text[position:end])
            value = bare.group() if bare else ""
            position += len(value)
        fields[match["name"].lower()] = value
        comma = re.compile(r"\s*,").match(text, position, end)
        if comma is None:
            return fields
        position = comma.end()


def _read_entries(text: str) -> list[BibEntry]:
    """Read dblp's BibTeX: `@type{key,` then `name = {value},` lines, one entry each.

    dblp writes every entry the same way, so a small reader does the work of a general
    BibTeX parser many times faster, which matters for 1,000-entry pages.
    """
    heads = list(_ENTRY_HEAD.finditer(text))
    entries = []
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
        fields = _fields(text, head.end(), end)
        fields["ID"] = head["key"]
        fields["ENTRYTYPE"] = head["type"].lower()
        entries.append(entry_from_fields(fields))
    return entries


def parse_toc_bibtex(text: str) -> DblpPage:
    """Parse one page of a `toc:` query answered in dblp's BibTeX."""
    entries = _read_entries(text)
    records = tuple(
        _record(entry)
        for entry in entries
        if entry.entrytype not in _VOLUME_TYPES and entry.bibtex_key
    )
    return DblpPage(records=records, entry_count=len(entries))


class DblpClient:
    """Read dblp tables of contents, one polite request per page."""

    def __init__(
        self,
        *,
        http: HttpClient,
        base_url: str = DEFAULT_API_URL,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        """Use `http` for every request (clients.dblp_client() builds one from settings)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.base_url = base_url
        self.page_size = page_size
        self.http = http

    def toc_page(self, toc: str, *, offset: int = 0) -> DblpPage:
        """Return the page of table of contents `toc` that starts at `offset`."""
        response = self.http.get(
            self.base_url,
            params={
                "q": f"toc:{toc}:",
                "h": self.page_size,
                "f": offset,
                "format": "bib",
            },
        )
        raise_for_status(response, service="dblp", what=f"table of contents {toc}")
        return parse_toc_bibtex(response.content.decode("utf-8", errors="replace"))

    def toc(self, toc: str) -> Iterator[tuple[DblpRecord, ...]]:
        """Yield the papers of `toc` a page at a time, so callers hold one page only."""
        offset = 0
        while True:
            page = self.toc_page(toc, offset=offset)
            if page.records:
                yield page.records
            if page.entry_count < self.page_size:
                return
            offset += page.entry_count
