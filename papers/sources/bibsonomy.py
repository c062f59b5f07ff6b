"""BibSonomy REST API client (https://www.bibsonomy.org/api) and BibTeX reading.

The API answers in XML by default: `<bibsonomy stat="ok">` around `<posts>` or one
`<post>`, each publication a `<bibtex>` element whose attributes are BibTeX fields as
strings (fields the schema lacks, such as doi, travel inside `misc`). BibTeX files
exported from BibSonomy, Zotero or DBLP are read with `parse_bibtex()` into the same
kind of record, so imports treat both alike.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # element types only; parsing goes through defusedxml  # nosec B405
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import bibtexparser
import requests
from bibtexparser.bparser import BibTexParser
from bibtexparser.latexenc import latex_to_unicode
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from shortscience.identifiers import InvalidIdentifier, parse_arxiv_id, parse_doi

from .http import (
    ConfigurationError,
    HttpClient,
    MalformedResponse,
    NotFound,
    PermanentSourceError,
    error_message,
    raise_for_status,
)

DEFAULT_API_URL = "https://www.bibsonomy.org/api"
NOT_CONFIGURED = "BibSonomy is not configured: set BIBSONOMY_USER and BIBSONOMY_API_KEY"

_PUBLICATION_TAGS = ("bibtex", "goldStandardPublication")
_NAME_SEPARATOR = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r"\s*,\s*")
_MISC_FIELD = re.compile(
    r"(?P<key>[A-Za-z][\w-]*)\s*=\s*"
    r'(?:\{(?P<braced>(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}|"(?P<quoted>[^"]*)"'
    r"|(?P<bare>[^,\s]+))"
)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/[^\s,;{}\"<>]+", re.IGNORECASE)
_ARXIV_PREFIXED = re.compile(r"arxiv\s*:\s*(?P<id>[^\s,;{}\"]+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(?P<id>\S+)", re.IGNORECASE)
_CORR_VOLUME = re.compile(r"abs/(?P<id>\S+)", re.IGNORECASE)
_DBLP_CORR_KEY = re.compile(
    r"(?:dblp:)?journals/corr/(?:abs-(?P<yymm>\d{4})-(?P<number>\d{4,5})"
    r"|(?P<plain>\d{4}\.\d{4,5}))(?:v\d+)?",
    re.IGNORECASE,
)
_DOI_URL = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/\S+", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
# Formatting commands (\emph{..}, \textit{..}) keep their argument and lose the command;
# the named letters (\ss, \aa, \oe ...) are left for the LaTeX decoder.
_FORMATTING_COMMAND = re.compile(
    r"\\(?!(?:ss|aa|AA|ae|AE|oe|OE)\b)[a-zA-Z]{2,}\s*(?=\{)"
)
# German babel shorthand as some exports write it: {"a} for ä.
_BABEL_UMLAUT = re.compile(r'\{"(?P<letter>[aouAOUs])\}')
_UMLAUTS = {"a": "ä", "o": "ö", "u": "ü", "A": "Ä", "O": "Ö", "U": "Ü", "s": "ß"}


@dataclass(frozen=True)
class BibsonomyPost:
    """A publication post. Authors are display names ("Jürgen Schmidhuber") in order."""

    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str | None
    entrytype: str | None
    url: str | None
    doi: str | None
    tags: tuple[str, ...]
    bibtex_key: str | None
    intrahash: str | None
    interhash: str | None
    abstract: str | None
    user: str | None
    arxiv_id: str | None


@dataclass(frozen=True)
class BibEntry:
    """One entry of a BibTeX file (BibSonomy, Zotero or DBLP export)."""

    bibtex_key: str
    entrytype: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str | None
    url: str | None
    doi: str | None
    arxiv_id: str | None
    abstract: str | None
    tags: tuple[str, ...]
    intrahash: str | None
    interhash: str | None


# BibTeX values -----------------------------------------------------------------------


def latex_to_text(value: str) -> str:
    """Return a BibTeX value as plain text: accents decoded, braces and macros gone."""
    text = _BABEL_UMLAUT.sub(lambda m: _UMLAUTS[m["letter"]], value)
    text = _FORMATTING_COMMAND.sub("", text)
    text = latex_to_unicode(text)
    return " ".join(text.split())


def _split_top_level(value: str, separator: re.Pattern[str]) -> list[str]:
    """Split `value` on `separator`, ignoring separators inside braces."""
    parts: list[str] = []
    depth = 0
    start = 0
    position = 0
    while position < len(value):
        char = value[position]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            match = separator.match(value, position)
            if match is not None and match.end() > position:
                parts.append(value[start:position])
                start = position = match.end()
                continue
        position += 1
    parts.append(value[start:])
    return parts


def _display_name(name: str) -> str:
    """Turn "Last, First" or "Last, Jr, First" into "First Last [Jr]"."""
    parts = [part.strip() for part in _split_top_level(name, _COMMA)]
    if len(parts) == 2:
        last, first = parts
        ordered = f"{first} {last}"
    elif len(parts) >= 3:
        last, junior, first = parts[0], parts[1], ", ".join(parts[2:])
        ordered = f"{first} {last} {junior}"
    else:
        ordered = parts[0]
    return latex_to_text(ordered)


def split_authors(value: str | None) -> tuple[str, ...]:
    """Split a BibTeX name list ("Last, First and First Last") into display names."""
    if value is None:
        return ()
    names = []
    for raw in _split_top_level(" ".join(value.split()), _NAME_SEPARATOR):
        raw = raw.strip()
        # "and others" is BibTeX for "et al.", not a person.
        if raw == "" or raw.lower() == "others":
            continue
        name = _display_name(raw)
        if name:
            names.append(name)
    return tuple(names)


def parse_misc(misc: str | None) -> dict[str, str]:
    """Read the `key = {value}` pairs BibSonomy keeps in a post's misc attribute."""
    if misc is None:
        return {}
    fields: dict[str, str] = {}
    for match in _MISC_FIELD.finditer(misc):
        for group in ("braced", "quoted", "bare"):
            if match[group] is not None:
                fields[match["key"].lower()] = match[group].strip()
                break
    return fields


def _nonempty(*values: str | None) -> str | None:
    """Return the first value that is not None and not blank, stripped."""
    for value in values:
        if value is not None and value.strip() != "":
            return value.strip()
    return None


def _year(value: str | None) -> int | None:
    if value is None:
        return None
    match = _YEAR.search(value)
    return int(match.group()) if match else None


def _title(value: str | None) -> str:
    if value is None:
        return ""
    title = latex_to_text(value)
    # DBLP ends every title with a period; a trailing ellipsis is part of the title.
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title


def _arxiv_from(text: str | None) -> str | None:
    try:
        return parse_arxiv_id(text).id if text is not None else None
    except InvalidIdentifier:
        return None


def find_arxiv_id(
    *,
    eprint: str | None = None,
    archive_prefix: str | None = None,
    journal: str | None = None,
    volume: str | None = None,
    bibtex_key: str | None = None,
    texts: tuple[str | None, ...] = (),
) -> str | None:
    """Return the arXiv id (without version) a bibliographic record reveals, if any.

    Looks at eprint (+ archivePrefix), DBLP's CoRR convention (journal "CoRR", volume
    "abs/1611.03530", key "journals/corr/abs-1611-03530"), and arXiv URLs, arXiv DOIs or
    "arXiv:1611.03530" inside `texts` (url, note, journal, misc ...).
    """
    if eprint is not None and (
        archive_prefix is None or archive_prefix.strip().lower() == "arxiv"
    ):
        found = _arxiv_from(eprint.strip())
        if found is not None:
            return found
    if journal is not None and journal.strip().lower() == "corr" and volume is not None:
        match = _CORR_VOLUME.search(volume)
        found = _arxiv_from(match["id"]) if match else None
        if found is not None:
            return found
    if bibtex_key is not None:
        match = _DBLP_CORR_KEY.fullmatch(bibtex_key.strip())
        if match:
            candidate = (
                match["plain"]
                if match["plain"] is not None
                else f"{match['yymm']}.{match['number']}"
            )
            found = _arxiv_from(candidate)
            if found is not None:
                return found
    for text in (*texts, journal):
        if text is None:
            continue
        for pattern in (_ARXIV_URL, _ARXIV_DOI, _ARXIV_PREFIXED):
            for match in pattern.finditer(text):
                candidate = match["id"] if "id" in pattern.groupindex else match.group()
                found = _arxiv_from(candidate)
                if found is not None:
                    return found
    return None


def find_doi(*values: str | None) -> str | None:
    """Return the first DOI among `values` (bare, doi:, or a doi.org URL in text)."""
    for value in values:
        if value is None:
            continue
        doi = parse_doi(value)
        if doi is not None:
            return doi
        match = _DOI_URL.search(value)
        if match:
            doi = parse_doi(match.group().rstrip(".,;"))
            if doi is not None:
                return doi
    return None


# XML posts ---------------------------------------------------------------------------


def _parse_xml(xml: bytes | str) -> ET.Element:
    try:
        root = defused_fromstring(xml)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise MalformedResponse(
            f"BibSonomy answered with malformed XML: {exc}"
        ) from exc
    if root.tag != "bibsonomy":
        raise MalformedResponse(
            f"BibSonomy answered with <{root.tag}>, not <bibsonomy>"
        )
    if root.get("stat") == "fail":
        error = root.find("error")
        message = (
            error.text.strip() if error is not None and error.text else "no reason"
        )
        raise PermanentSourceError(f"BibSonomy reported an error: {message}")
    return root


def _post_from_element(post: ET.Element) -> BibsonomyPost | None:
    resource = None
    for tag in _PUBLICATION_TAGS:
        resource = post.find(tag)
        if resource is not None:
            break
    if resource is None:
        # Bookmarks (and uploads without metadata) are not publications.
        return None
    attrs: Mapping[str, str] = resource.attrib
    misc = parse_misc(attrs.get("misc"))
    user = post.find("user")
    url = _nonempty(attrs.get("url"), misc.get("url"))
    journal = _nonempty(attrs.get("journal"))
    return BibsonomyPost(
        title=_title(attrs.get("title")),
        authors=split_authors(_nonempty(attrs.get("author"), attrs.get("editor"))),
        year=_year(attrs.get("year")),
        venue=_venue(attrs.get("booktitle"), journal),
        entrytype=_nonempty(attrs.get("entrytype")),
        url=url,
        doi=find_doi(attrs.get("doi"), misc.get("doi"), url, misc.get("ee")),
        tags=tuple(
            name
            for name in (tag.get("name") for tag in post.findall("tag"))
            if name is not None and name != ""
        ),
        bibtex_key=_nonempty(attrs.get("bibtexKey")),
        intrahash=_nonempty(attrs.get("intrahash")),
        interhash=_nonempty(attrs.get("interhash")),
        abstract=_abstract(attrs.get("bibtexAbstract")),
        user=user.get("name") if user is not None else None,
        arxiv_id=find_arxiv_id(
            eprint=misc.get("eprint"),
            archive_prefix=misc.get("archiveprefix"),
            journal=journal,
            volume=attrs.get("volume"),
            bibtex_key=attrs.get("bibtexKey"),
            texts=(
                url,
                misc.get("ee"),
                misc.get("doi"),
                attrs.get("note"),
                attrs.get("misc"),
            ),
        ),
    )


def _venue(booktitle: str | None, journal: str | None) -> str | None:
    # Google Scholar files preprints under journal = {arXiv preprint arXiv:...}; that
    # names the arXiv id, not a venue.
    if journal is not None and journal.strip().lower().startswith("arxiv"):
        journal = None
    venue = _nonempty(booktitle, journal)
    return latex_to_text(venue) if venue is not None else None


def _abstract(value: str | None) -> str | None:
    text = _nonempty(value)
    return " ".join(text.split()) if text is not None else None


def parse_posts(xml: bytes | str) -> list[BibsonomyPost]:
    """Return the publication posts of a `<posts>` or single `<post>` answer."""
    root = _parse_xml(xml)
    posts = root.find("posts")
    elements = posts.findall("post") if posts is not None else root.findall("post")
    return [
        post
        for post in (_post_from_element(element) for element in elements)
        if post is not None
    ]


def parse_post(xml: bytes | str) -> BibsonomyPost:
    """Return the one publication post of a `/users/{user}/posts/{hash}` answer."""
    posts = parse_posts(xml)
    if not posts:
        raise MalformedResponse("BibSonomy answered without a publication post")
    return posts[0]


# BibTeX files ------------------------------------------------------------------------


def _keywords(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    # BibSonomy separates tags with spaces, Zotero and most others with commas.
    separator = r"[,;]" if re.search(r"[,;]", value) else r"\s+"
    return tuple(word.strip() for word in re.split(separator, value) if word.strip())


def entry_from_fields(fields: Mapping[str, str]) -> BibEntry:
    """Return the entry that BibTeX fields (bibtexparser's names: ID, ENTRYTYPE) describe."""
    url = _nonempty(fields.get("url"))
    journal = _nonempty(fields.get("journal"), fields.get("journaltitle"))
    key = fields.get("ID", "")
    return BibEntry(
        bibtex_key=key,
        entrytype=fields.get("ENTRYTYPE", "misc").lower(),
        title=_title(fields.get("title")),
        authors=split_authors(_nonempty(fields.get("author"), fields.get("editor"))),
        year=_year(_nonempty(fields.get("year"), fields.get("date"))),
        venue=_venue(fields.get("booktitle"), journal),
        url=url,
        doi=find_doi(fields.get("doi"), url, fields.get("ee")),
        arxiv_id=find_arxiv_id(
            eprint=fields.get("eprint"),
            archive_prefix=_nonempty(
                fields.get("archiveprefix"), fields.get("eprinttype")
            ),
            journal=journal,
            volume=fields.get("volume"),
            bibtex_key=key,
            texts=(url, fields.get("ee"), fields.get("doi"), fields.get("note")),
        ),
        abstract=_abstract(fields.get("abstract")),
        tags=_keywords(fields.get("keywords")),
        intrahash=_nonempty(fields.get("intrahash")),
        interhash=_nonempty(fields.get("interhash")),
    )


def parse_bibtex(text: str) -> list[BibEntry]:
    """Read the entries of a BibTeX file, such as a reading list from Zotero or DBLP."""
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    try:
        database = bibtexparser.loads(text, parser=parser)
    except Exception as exc:  # bibtexparser raises pyparsing and assorted errors
        raise MalformedResponse(f"could not read the BibTeX: {exc}") from exc
    return [entry_from_fields(entry) for entry in database.entries]


# Client ------------------------------------------------------------------------------


def _fail_message(response: requests.Response) -> str:
    """Return the <error> text of a failure body, or the start of the body."""
    try:
        root = defused_fromstring(response.content)
    except (ET.ParseError, DefusedXmlException):
        return error_message(response)
    error = root.find("error")
    if error is not None and error.text:
        return error.text.strip()
    return error_message(response)


class BibsonomyClient:
    """Search BibSonomy and read posts, authenticated with a user name and API key."""

    def __init__(
        self,
        *,
        http: HttpClient,
        base_url: str = DEFAULT_API_URL,
        user: str = "",
        api_key: str = "",
    ) -> None:
        """Use `http` for every request (clients.bibsonomy_client() builds one)."""
        self.base_url = base_url.rstrip("/")
        self.user = user
        self.api_key = api_key
        self.http = http

    @property
    def enabled(self) -> bool:
        return self.user != "" and self.api_key != ""

    def search(self, text: str, start: int = 0, end: int = 20) -> list[BibsonomyPost]:
        """Return publication posts matching `text` (full text; quote it for a phrase).

        `end` is exclusive, as in the API.
        """
        response = self._get(
            "/posts",
            params={
                "resourcetype": "bibtex",
                "search": text,
                "start": start,
                "end": end,
            },
            what=f"search {text!r}",
        )
        return parse_posts(response.content)

    def get_post(self, user: str, intrahash: str) -> BibsonomyPost:
        """Return one user's post of a publication."""
        path = f"/users/{quote(user, safe='')}/posts/{quote(intrahash, safe='')}"
        response = self._get(path, params=None, what=f"post {intrahash} of {user}")
        return parse_post(response.content)

    def posts_for_resource(self, resource_hash: str) -> list[BibsonomyPost]:
        """Return every user's post of a publication.

        `resource_hash` is sent as given: an interhash, or the hash with its 1/2 prefix
        as it appears in a BibSonomy URL (`BibsonomyRef.resource`).
        """
        response = self._get(
            "/posts",
            params={"resourcetype": "bibtex", "resource": resource_hash},
            what=f"publication {resource_hash}",
        )
        return parse_posts(response.content)

    def _get(
        self, path: str, *, params: Mapping[str, object] | None, what: str
    ) -> requests.Response:
        if not self.enabled:
            raise ConfigurationError(NOT_CONFIGURED)
        response = self.http.get(
            self.base_url + path, params=params, auth=(self.user, self.api_key)
        )
        if response.status_code in (401, 403):
            raise ConfigurationError(
                f"BibSonomy refused the credentials of user {self.user!r} "
                f"(HTTP {response.status_code}: {_fail_message(response)}); "
                "check BIBSONOMY_USER and BIBSONOMY_API_KEY",
                status=response.status_code,
            )
        if response.status_code == 404:
            raise NotFound(
                f"{what} not found on BibSonomy: {_fail_message(response)}", status=404
            )
        if 400 <= response.status_code < 500:
            raise PermanentSourceError(
                f"BibSonomy rejected the request for {what} "
                f"(HTTP {response.status_code}): {_fail_message(response)}",
                status=response.status_code,
            )
        raise_for_status(response, service="BibSonomy", what=what)
        return response
