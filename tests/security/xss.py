"""The XSS corpus, and a static check of HTML for anything a browser could execute."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "fixtures/xss/vectors.txt"

_ESCAPE_RE = re.compile(
    r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|[ntr\\]|(.?))", re.DOTALL
)
_SIMPLE_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\r", "\\\\": "\\"}


def decode_line(line: str) -> str:
    r"""Decode one corpus line: \n \r \t \\ \xHH \uHHHH; any other escape is an error."""

    def replace(match: re.Match) -> str:
        escape = match.group()
        if match.group(1) is not None:
            raise ValueError(f"unknown escape {escape!r} in {line!r}")
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        return chr(int(escape[2:], 16))

    return _ESCAPE_RE.sub(replace, line)


def load_vectors() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [decode_line(line) for line in lines if line and not line.startswith("#")]


# --- Static check -----------------------------------------------------------------------

# Elements that run code, load documents or change how the page's URLs, forms and
# metadata behave. None may come from user text.
DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
    "form", "meta", "link", "style", "portal", "isindex", "noscript", "template",
}  # fmt: skip

URL_ATTRIBUTES = {
    "href", "src", "xlink:href", "action", "formaction", "data", "poster",
    "background", "lowsrc", "dynsrc", "srcset", "codebase", "code", "cite",
    "ping", "values", "to", "from", "by", "srcdoc",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")

# What a browser ignores inside a URL: C0 controls and spaces at the ends, tabs and
# newlines anywhere; we strip every whitespace and control character to be strict.
_URL_IGNORED_RE = re.compile(
    r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]"
)
_CSS_COMMENT_RE = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
_CSS_ESCAPE_RE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)
BAD_CSS = ("expression(", "url(", "behavior:", "-moz-binding", "javascript:", "@import", "image-set(", "image(")  # fmt: skip


def _css_unescape(match: re.Match) -> str:
    if match.group(1):
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
    return match.group(2)


def normalise_url(value: str) -> str:
    # Attribute values come from the parser with character references decoded.
    return _URL_IGNORED_RE.sub("", value).lower()


def normalise_css(value: str) -> str:
    css = _CSS_COMMENT_RE.sub("", value)
    css = _CSS_ESCAPE_RE.sub(_css_unescape, css)
    return re.sub(r"\s+", "", css).lower()


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script_attrs: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag == "script":
            self._script_attrs = dict(attrs)
            self.scripts.append((self._script_attrs, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_attrs = None

    def handle_data(self, data):
        if self._script_attrs is not None:
            attrs, content = self.scripts[-1]
            self.scripts[-1] = (attrs, content + data)
        else:
            self.text.append(data)


def collect(markup: str) -> _Collector:
    parser = _Collector()
    parser.feed(markup)
    parser.close()
    return parser


def attribute_problems(elements, *, htmx_allowed: bool = False) -> list[str]:
    """Return what is unsafe in the attributes of parsed elements.

    htmx acts on hx-* (and data-hx-*) attributes: hx-on runs code, the others fetch and
    swap HTML. Only the site's templates may use them, and never hx-on.
    """
    problems = []
    for tag, attrs in elements:
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=...>: event handler")
            htmx = name.removeprefix("data-")
            if htmx.startswith("hx-on") or (
                htmx.startswith("hx-") and not htmx_allowed
            ):
                problems.append(f"<{tag} {name}=...>: htmx attribute")
            if name in URL_ATTRIBUTES and normalise_url(value).startswith(BAD_SCHEMES):
                problems.append(f"<{tag} {name}={value!r}>: script or data URL")
            if name == "style":
                css = normalise_css(value)
                bad = [b for b in BAD_CSS if b in css]
                if bad:
                    problems.append(f"<{tag} style={value!r}>: {bad[0]}")
    return problems


def unsafe_parts(fragment: str) -> list[str]:
    """Return what a browser could execute in a fragment of user HTML (empty if safe)."""
    elements = collect(fragment).elements
    problems = [f"<{tag}> element" for tag, _ in elements if tag in DANGEROUS_TAGS]
    return problems + attribute_problems(elements)


def text_content(fragment: str) -> str:
    return "".join(collect(fragment).text)


# --- Whole pages ------------------------------------------------------------------------

# What the site's own templates put in <head> and forms; anything else of a dangerous
# kind on a page can only have come from user text.
_SITE_META_NAMES = {"viewport", "description", "htmx-config", "robots", "color-scheme"}
_SITE_LINK_RELS = {"icon", "stylesheet", "alternate", "canonical"}


def _site_element_problem(tag: str, attrs: dict[str, str | None]) -> str | None:
    from django.urls import Resolver404, resolve

    if tag == "meta":
        allowed = set(attrs) <= {"charset", "name", "property", "content"}
        name = attrs.get("name") or attrs.get("property") or ""
        if allowed and (
            "charset" in attrs
            or name in _SITE_META_NAMES
            or name.startswith(("og:", "twitter:"))
        ):
            return None
    elif tag == "link":
        href = attrs.get("href") or ""
        if (
            attrs.get("rel") in _SITE_LINK_RELS
            and href.startswith(("/", "http://", "https://"))
            and not href.startswith("//")
        ):
            return None
    elif tag == "script":
        if (attrs.get("src") or "").startswith("/static/") or attrs.get(
            "type"
        ) == "application/ld+json":
            return None
    elif tag == "form":
        action = attrs.get("action") or ""
        if not action:
            return None  # submits to the page itself
        try:
            resolve(action)
        except Resolver404:
            return f"<form action={action!r}> not a page of the site"
        return None
    return f"<{tag} {attrs}> not made by the site's templates"


def page_problems(page: str) -> list[str]:
    """Return what a browser could execute on a whole page that the templates did not put there.

    JSON-LD blocks must hold valid JSON: a script end tag inside one would cut it short.
    """
    parsed = collect(page)
    problems = attribute_problems(parsed.elements, htmx_allowed=True)
    for tag, attrs in parsed.elements:
        if tag in DANGEROUS_TAGS:
            problem = _site_element_problem(tag, dict(attrs))
            if problem:
                problems.append(problem)
    for attrs, content in parsed.scripts:
        if attrs.get("type") == "application/ld+json":
            try:
                json.loads(content)
            except ValueError:
                problems.append(f"JSON-LD block is not JSON: {content[:200]!r}")
    return problems
