"""Parse the identifiers a user can give for a paper: arXiv ids, DOIs, BibSonomy URLs.

Pure functions, no I/O. The add-paper form and the import code both go through
`classify()`, so what the form accepts and what the importers understand cannot drift.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, NamedTuple
from urllib.parse import unquote, urlsplit

ACCEPTED_FORMS = (
    "Enter an arXiv id (2003.08934, 2003.08934v2, hep-th/9901001 or arXiv:2003.08934), "
    "an arxiv.org abs or pdf link (https://arxiv.org/abs/2003.08934), "
    "a DOI (10.1038/nature14539 or https://doi.org/10.1038/nature14539), "
    "a BibSonomy publication link (https://www.bibsonomy.org/bibtex/1...), "
    "or the paper's title."
)

# Archives that issued old-style ids (archive/YYMMNNN) before April 2007.
OLD_ARCHIVES = frozenset(
    {
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    }
)

ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
BIBSONOMY_HOSTS = frozenset({"bibsonomy.org", "www.bibsonomy.org"})

_NEW_ID = re.compile(r"(?P<yymm>\d{4})\.(?P<number>\d{4,5})(?:v(?P<version>\d+))?")
_OLD_ID = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subject>[a-z]+(?:-[a-z]+)?))?"
    r"/(?P<yymm>\d{4})(?P<number>\d{3})(?:v(?P<version>\d+))?",
    re.IGNORECASE,
)
_ARXIV_PREFIX = re.compile(r"arxiv\s*:\s*", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"doi\s*:\s*", re.IGNORECASE)
_BIBSONOMY_PATH = re.compile(
    r"/bibtex/(?P<prefix>[12])(?P<hash>[0-9a-f]{32})(?:/(?P<user>[^/]+))?/?",
    re.IGNORECASE,
)

# Shapes that are clearly meant as an identifier but are not a valid one. They are
# rejected instead of being searched for as a title.
_BROKEN_ID_SHAPES = (
    re.compile(r"arxiv\s*:.*", re.IGNORECASE),
    re.compile(r"doi\s*:.*", re.IGNORECASE),
    re.compile(r"\d{4}\.\d*(?:v\d*)?", re.IGNORECASE),
    re.compile(r"\d{3,5}\.\d{3,6}(?:v\d*)?", re.IGNORECASE),
    re.compile(r"10\.\d{4,9}(?:/.*)?"),
    re.compile(r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[a-z-]+)?/.*", re.IGNORECASE),
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

# LaTeX accent macros and braces are deleted (not turned into spaces) so that
# "Schr{\"o}dinger" and "Schrödinger" normalise to the same word.
_LATEX_ACCENT = re.compile(r"\\(?:[\"'`^~=.]|[uvHckr](?=[{\s]))")
_NON_WORD = re.compile(r"[\W_]+")


class InvalidIdentifier(ValueError):
    """Raised when a text is not an identifier of the expected kind."""

    def __init__(self, message: str, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.text = text


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier; `id` has no version, `version` is None for "latest"."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        if self.version is None:
            return self.id
        return f"{self.id}v{self.version}"

    @property
    def is_old_style(self) -> bool:
        return "/" in self.id


class BibsonomyRef(NamedTuple):
    """A publication on BibSonomy named by a web URL."""

    kind: Literal["interhash", "intrahash"]
    hash: str
    user: str | None

    @property
    def resource(self) -> str:
        """Return the hash with its 1/2 prefix, as in BibSonomy URLs."""
        prefix = "1" if self.kind == "interhash" else "2"
        return f"{prefix}{self.hash}"


IdentifierKind = Literal["arxiv", "doi", "bibsonomy", "title", "invalid"]


@dataclass(frozen=True)
class Identifier:
    """What a user typed, classified.

    `value` is an `ArxivId` for "arxiv", a `BibsonomyRef` for "bibsonomy", the
    lower-case DOI for "doi", the whitespace-normalised text for "title", and the raw
    text for "invalid" (where `message` says what is accepted).
    """

    kind: IdentifierKind
    value: ArxivId | BibsonomyRef | str
    message: str = ""


def _invalid_arxiv(text: str) -> InvalidIdentifier:
    return InvalidIdentifier(
        f'"{text}" is not a valid arXiv identifier. {ACCEPTED_FORMS}', text
    )


def _valid_new_yymm(yymm: str, number: str) -> bool:
    month = int(yymm[2:])
    if not 1 <= month <= 12 or int(yymm) < 704:
        return False
    # Four-digit sequence numbers ran from 0704 to 1412; five digits since 1501.
    return len(number) == (4 if int(yymm) <= 1412 else 5)


def _valid_old_yymm(yymm: str) -> bool:
    year, month = int(yymm[:2]), int(yymm[2:])
    full = (1900 + year if year >= 91 else 2000 + year) * 100 + month
    return 1 <= month <= 12 and 199108 <= full <= 200703


def _parse_bare_arxiv_id(text: str) -> ArxivId | None:
    match = _NEW_ID.fullmatch(text)
    if match:
        if not _valid_new_yymm(match["yymm"], match["number"]):
            return None
        version = match["version"]
        if version is not None and int(version) == 0:
            return None
        return ArxivId(
            f"{match['yymm']}.{match['number']}",
            int(version) if version is not None else None,
        )
    match = _OLD_ID.fullmatch(text)
    if match:
        archive = match["archive"].lower()
        if archive not in OLD_ARCHIVES or not _valid_old_yymm(match["yymm"]):
            return None
        version = match["version"]
        if version is not None and int(version) == 0:
            return None
        # The subject class (math.GT/...) is not part of the canonical id.
        return ArxivId(
            f"{archive}/{match['yymm']}{match['number']}",
            int(version) if version is not None else None,
        )
    return None


def _arxiv_url_path(text: str) -> str | None:
    """Return the id part of an arxiv.org abs/pdf URL, or None for any other text."""
    candidate = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.hostname not in ARXIV_HOSTS:
        return None
    match = re.fullmatch(r"/(?:abs|pdf)/(?P<rest>.+?)/?", unquote(parts.path))
    if not match:
        return None
    rest = match["rest"]
    if rest.lower().endswith(".pdf"):
        rest = rest[: -len(".pdf")]
    return rest


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an arXiv id in any accepted form, or raise InvalidIdentifier."""
    stripped = text.strip()
    prefix = _ARXIV_PREFIX.match(stripped)
    if prefix:
        candidate = stripped[prefix.end() :]
    else:
        from_url = _arxiv_url_path(stripped)
        candidate = stripped if from_url is None else from_url
    parsed = _parse_bare_arxiv_id(candidate)
    if parsed is None:
        raise _invalid_arxiv(stripped)
    return parsed


def parse_doi(text: str) -> str | None:
    """Return the lower-case DOI in `text` (bare, doi:, doi.org URL), or None."""
    candidate = text.strip()
    prefix = _DOI_PREFIX.match(candidate)
    if prefix:
        candidate = candidate[prefix.end() :]
    elif re.match(r"(?:https?://)?(?:dx\.)?doi\.org/", candidate, re.IGNORECASE):
        url = candidate if "://" in candidate else f"https://{candidate}"
        parts = urlsplit(url)
        if parts.hostname not in ("doi.org", "dx.doi.org"):
            return None
        candidate = unquote(parts.path.lstrip("/"))
    if not _DOI.fullmatch(candidate):
        return None
    return candidate.lower()


def parse_bibsonomy_url(text: str) -> BibsonomyRef | None:
    """Return (kind, hash, user) for a BibSonomy publication URL, or None.

    `/bibtex/1<interhash>` is the community page of a publication;
    `/bibtex/2<intrahash>/<user>` is one user's post of it.
    """
    candidate = text.strip()
    url = candidate if "://" in candidate else f"https://{candidate}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.hostname not in BIBSONOMY_HOSTS:
        return None
    match = _BIBSONOMY_PATH.fullmatch(parts.path)
    if not match:
        return None
    kind: Literal["interhash", "intrahash"] = (
        "interhash" if match["prefix"] == "1" else "intrahash"
    )
    user = unquote(match["user"]) if match["user"] else None
    return BibsonomyRef(kind, match["hash"].lower(), user)


def _looks_like_identifier(text: str) -> bool:
    for pattern in _BROKEN_ID_SHAPES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        archive = match.groupdict().get("archive")
        if archive is None or archive.lower() in OLD_ARCHIVES:
            return True
    # A URL is never a title; one we could not read is a broken identifier.
    return _URL.fullmatch(text) is not None


def classify(text: str) -> Identifier:
    """Say whether `text` is an arXiv id, a DOI, a BibSonomy URL, a title or garbage."""
    stripped = text.strip()
    if not stripped:
        return Identifier("invalid", text, ACCEPTED_FORMS)
    try:
        return Identifier("arxiv", parse_arxiv_id(stripped))
    except InvalidIdentifier:
        pass
    doi = parse_doi(stripped)
    if doi is not None:
        return Identifier("doi", doi)
    bibsonomy = parse_bibsonomy_url(stripped)
    if bibsonomy is not None:
        return Identifier("bibsonomy", bibsonomy)
    if _looks_like_identifier(stripped):
        return Identifier(
            "invalid",
            stripped,
            f'"{stripped}" looks like an identifier but is not a valid one. '
            f"{ACCEPTED_FORMS}",
        )
    return Identifier("title", " ".join(stripped.split()))


def normalise_title(title: str) -> str:
    """Return `title` lower-cased, without accents or punctuation, single-spaced."""
    text = _LATEX_ACCENT.sub("", title).replace("{", "").replace("}", "")
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", without_marks.casefold()).strip()
