"""Code and project links: found in arXiv's comment and the abstract, or added by writers.

Authors announce their code and project pages in arXiv's comment field ("CVPR 2021.
Code: https://github.com/...", "Project page: https://....github.io/...") and in the
last sentence of the abstract ("Code is available at https://github.com/..."). This
module finds them (pure functions, no ORM), tells code from project pages, and gives
every link, found or typed by a writer, one normal form and one key, so that a link is
listed once however it was written.

Only http(s) addresses are links: anything else (javascript:, data:, ftp:...) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

CODE = "code"
PROJECT = "project"
DATA = "data"
VIDEO = "video"
KINDS = {CODE: "Code", PROJECT: "Project page", DATA: "Data", VIDEO: "Video"}

# Where a link comes from.
COMMENT, ABSTRACT, WRITER = "comment", "abstract", "writer"
ORIGINS = {
    COMMENT: "From the arXiv comment",
    ABSTRACT: "From the abstract",
    WRITER: "Added by a writer",
}

MAX_URL = 500

# Hosts that hold code: a link to them is code whatever the sentence around it says.
CODE_HOSTS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "sourceforge.net",
    "git.sr.ht",
)
# Pages people make for a project: GitHub and GitLab Pages.
PROJECT_HOST_SUFFIXES = (".github.io", ".gitlab.io")
VIDEO_HOSTS = ("youtube.com", "www.youtube.com", "youtu.be", "vimeo.com")

# An address in running text: with a scheme, or a code host's bare "github.com/...".
# TeX (\url{...}, \_), brackets and quotes end it; trailing punctuation is cut after.
_URL = re.compile(
    r"(?:https?://|(?<![\w./@-])(?:www\.|(?:github\.com|gitlab\.com|bitbucket\.org)/))"
    r"[^\s<>\"'{}|^`\[\]]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)*"
# Words in the few words before an address that say what it is.
_CODE_WORDS = re.compile(
    r"\b(code|codes|implementation|source|software|repo|repository|toolbox|library|"
    r"package|github)\b",
    re.IGNORECASE,
)
_PROJECT_WORDS = re.compile(
    r"\b(project|webpage|web\s?page|website|web\s?site|homepage|home\s?page|demo|"
    r"page)\b",
    re.IGNORECASE,
)
_DATA_WORDS = re.compile(r"\b(data|dataset|datasets|benchmark|corpus)\b", re.IGNORECASE)
_VIDEO_WORDS = re.compile(r"\b(videos?|talk|recording)\b", re.IGNORECASE)
_CONTEXT = 60  # characters looked at before an address


@dataclass(frozen=True)
class FoundLink:
    url: str  # normal form, what the page links to
    kind: str  # CODE, PROJECT, DATA or VIDEO
    origin: str  # COMMENT, ABSTRACT or WRITER

    @property
    def key(self) -> str:
        return link_key(self.url)

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def origin_text(self) -> str:
        return ORIGINS[self.origin]

    @property
    def shown(self) -> str:
        """The address as shown: without its scheme and trailing slash."""
        return self.url.split("://", 1)[-1].rstrip("/")


def _untex(text: str) -> str:
    # Abstracts are TeX: "\_" is "_", "\url{x}" is x, "\%" is "%", "\&" is "&".
    return re.sub(r"\\([_%&#~])", r"\1", text.replace("\\url{", " "))


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        # A closing bracket that closes one opened inside the address stays.
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def normalise_url(raw: str) -> str:
    """Return the link in normal form, or raise ValidationError saying what is wrong.

    Normal form: an http(s) scheme (added to a bare "github.com/..."), scheme and host
    in lower case, no default port, no user name or password, a code host's ".git"
    suffix and trailing slash dropped, the fragment kept only when it names something.
    """
    url = raw.strip()
    if not url:
        raise ValidationError("Enter the address of the link.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationError("A link cannot contain spaces or line breaks.")
    if len(url) > MAX_URL:
        raise ValidationError(f"A link can be at most {MAX_URL} characters long.")
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if not re.fullmatch(r"https?", scheme):
        if re.match(r"^[a-z][a-z0-9+.-]*:(?!\d)", url, re.IGNORECASE) and not re.match(
            r"^[\w.-]+\.[a-z]{2,}(:\d+)?(/|$)", url, re.IGNORECASE
        ):
            raise ValidationError(
                "Only web addresses (http:// or https://) can be added as links."
            )
        url = "https://" + url
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValidationError("A link cannot carry a user name or password.")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or "." not in host:
        raise ValidationError("Enter a full web address, such as https://github.com/…")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValidationError("The address has an unreadable port.") from exc
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = parts.path
    if host in CODE_HOSTS or host.endswith(PROJECT_HOST_SUFFIXES):
        path = path.rstrip("/")
        if host in CODE_HOSTS and path.endswith(".git"):
            path = path[:-4]
    if path == "/":
        path = ""
    normal = urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
    try:
        URLValidator(schemes=["http", "https"])(normal)
    except ValidationError as exc:
        raise ValidationError("This is not a web address a browser can open.") from exc
    return normal


def link_key(url: str) -> str:
    """What two addresses of the same page share: no scheme, no "www.", no trailing "/"."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    path = parts.path.rstrip("/")
    if host in CODE_HOSTS:
        path = path.removesuffix(".git").lower()
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{path}{query}"


def kind_of(url: str, before: str = "") -> str | None:
    """Code, project page, data or video, judged from the words just before the address
    and from its host.

    The nearest telling word decides ("Code: ...", "Project page: ...", "video: ..."),
    except that a repository on a code host is code unless the words say data. Without
    such a word, the host decides (GitHub Pages: project; YouTube: video); otherwise None,
    and the address is not listed.
    """
    host = (urlsplit(url).hostname or "").lower()
    nearest = {
        kind: max((m.end() for m in words.finditer(before)), default=-1)
        for kind, words in (
            (CODE, _CODE_WORDS),
            (PROJECT, _PROJECT_WORDS),
            (DATA, _DATA_WORDS),
            (VIDEO, _VIDEO_WORDS),
        )
    }
    said, end = max(nearest.items(), key=lambda item: item[1])
    if host in CODE_HOSTS:
        # "Dataset: github.com/..." is data; "code and data: github.com/..." is code.
        return DATA if said == DATA and nearest[CODE] < 0 else CODE
    if end >= 0:
        return said
    if host.endswith(PROJECT_HOST_SUFFIXES):
        return PROJECT
    if host in VIDEO_HOSTS:
        return VIDEO
    return None


def links_in_text(text: str, *, origin: str) -> list[FoundLink]:
    """Return the code, project, data and video links a text announces, in order, each once."""
    text = _untex(text or "")
    found: list[FoundLink] = []
    seen: set[str] = set()
    for match in _URL.finditer(text):
        raw = _trim(match.group(0))
        try:
            url = normalise_url(raw)
        except ValidationError:
            continue
        # The words since the previous address (or sentence) say what this one is.
        start = max(0, match.start() - _CONTEXT)
        before = re.split(r"https?://\S+|[.;]\s", text[start : match.start()])[-1]
        kind = kind_of(url, before)
        key = link_key(url)
        if kind is None or key in seen:
            continue
        seen.add(key)
        found.append(FoundLink(url, kind, origin))
    return found


def links_from_paper(*, comment: str, abstract: str) -> list[FoundLink]:
    """The links a paper's own metadata announces: its arXiv comment, then its abstract."""
    found = links_in_text(comment, origin=COMMENT)
    keys = {link.key for link in found}
    for link in links_in_text(abstract, origin=ABSTRACT):
        if link.key not in keys:
            keys.add(link.key)
            found.append(link)
    return found


def split_for_links(text: str) -> list[tuple[str, str | None]]:
    """Cut a text into (piece, url) parts: url is the normal form of an address in it
    (http(s) only), None for plain text; for showing arXiv's comment with live links."""
    parts: list[tuple[str, str | None]] = []
    last = 0
    for match in _URL.finditer(text or ""):
        raw = _trim(match.group(0))
        try:
            url = normalise_url(raw)
        except ValidationError:
            continue
        parts.append((text[last : match.start()], None))
        parts.append((raw, url))
        last = match.start() + len(raw)
    parts.append(((text or "")[last:], None))
    return [(piece, url) for piece, url in parts if piece]
