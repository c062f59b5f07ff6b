"""Markdown + LaTeX to safe HTML: the one rendering pipeline for user text.

Summaries, comments and the live preview all go through `render()`. Markdown is
parsed by markdown-it-py with raw HTML disabled, math is cut out by the parser
before any Markdown rule can touch it, typeset on the server by KaTeX running in
an embedded V8, and the final HTML (KaTeX output included) is sanitised with an
explicit allowlist.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, mdTrim
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from mdit_py_plugins.gfm_autolink.index import _protocol_rule as _gfm_protocol_rule
from mdit_py_plugins.utils import is_code_block
from py_mini_racer import JSTimeoutException, MiniRacer

logger = logging.getLogger(__name__)

# Bump whenever a change here can change the HTML of an existing source, so that
# stored renders are redone in the background.
_REVISION = 3

_DEFAULT_KATEX_JS_PATH = (
    Path(__file__).resolve().parent.parent / "node_modules/katex/dist/katex.min.js"
)

# Wall-clock budget for typesetting one document. Legitimate summaries take
# milliseconds; KaTeX goes superlinear on huge formulas (40k characters take
# seconds), and the V8 context is shared, so a runaway formula must be cut off.
_TYPESET_TIMEOUT_SEC = 2.0
# When the document overruns, formulas are retried one by one with this cap
# each, so one runaway formula cannot starve the rest.
_FORMULA_TIMEOUT_SEC = 0.5

# Commands that LaTeX users expect and KaTeX 0.16 lacks. \bm, \argmax and
# \argmin are built in already.
_KATEX_MACROS = {
    r"\mbox": r"\text{#1}",
    r"\mathds": r"\mathbb{#1}",
}

_KATEX_OPTIONS = {
    "output": "htmlAndMathml",
    "throwOnError": True,
    "strict": "ignore",
    # Untrusted input: \href, \url, \includegraphics and \html* stay inert.
    "trust": False,
    "maxSize": 50,
    "maxExpand": 1000,
}

# Typeset a JSON list of [tex, displayMode] pairs and return a JSON list of
# {"html": ...} or {"error": ...}. Strings cross the boundary instead of JS
# objects so no proxy objects outlive the call. One macros object is shared by
# the formulas of a document, so a \gdef applies to later formulas of the same
# document only.
_TYPESET_JS = """
function __shortscienceTypeset(items, options, macros) {
  var shared = Object.assign({}, macros);
  return JSON.stringify(items.map(function (item) {
    var opts = Object.assign({}, options, {displayMode: item[1], macros: shared});
    try {
      return {html: katex.renderToString(item[0], opts)};
    } catch (e) {
      var message = e && (e.rawMessage || e.message);
      return {error: String(message || e)};
    }
  }));
}
"""


def _katex_js_path() -> Path:
    """Return the KaTeX bundle to load, honouring `settings.KATEX_JS_PATH`."""
    try:
        from django.conf import settings
    except ImportError:
        return _DEFAULT_KATEX_JS_PATH
    if settings.configured and getattr(settings, "KATEX_JS_PATH", None):
        return Path(settings.KATEX_JS_PATH)
    return _DEFAULT_KATEX_JS_PATH


def _katex_version() -> str:
    package_json = _katex_js_path().parent.parent / "package.json"
    try:
        return json.loads(package_json.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        # Rendering still works (formulas degrade to source); the version makes
        # sure everything is re-rendered once KaTeX is installed.
        return "unknown"


RENDERER_VERSION = f"md{_REVISION}-katex{_katex_version()}"


# --- KaTeX in V8 -----------------------------------------------------------


class _Typeset(NamedTuple):
    html: str | None
    error: str | None


class _KatexEngine:
    """One V8 context per process with KaTeX loaded, used under a lock.

    V8 contexts are not thread-safe, and a context per thread would reload
    KaTeX (about 150 ms) for every request under a thread-per-request server.
    The context is rebuilt after a fork: the child does not inherit the
    thread that drives it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._racer: MiniRacer | None = None
        self._pid = 0
        self._thread: ThreadPoolExecutor | None = None
        self._thread_pid = 0

    def _worker(self) -> ThreadPoolExecutor:
        # MiniRacer refuses timeouts in a thread that runs an asyncio loop (an async
        # caller, Playwright's sync API in tests), so every call into V8 goes through
        # one plain thread of the engine's own, whoever the caller is.
        if self._thread is None or self._thread_pid != os.getpid():
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="katex")
            self._thread_pid = os.getpid()
        return self._thread

    def _context(self) -> MiniRacer:
        if self._racer is None or self._pid != os.getpid():
            racer = MiniRacer()
            try:
                racer.eval(_katex_js_path().read_text(encoding="utf-8"))
                racer.eval(_TYPESET_JS)
            except BaseException:
                racer.close()
                raise
            self._racer, self._pid = racer, os.getpid()
        return self._racer

    def close(self) -> None:
        """Free the V8 context; the next call builds a new one."""
        with self._lock:
            self._discard()

    def _discard(self) -> None:
        racer, self._racer = self._racer, None
        if racer is not None and self._pid == os.getpid():
            try:
                racer.close()
            except Exception:
                logger.exception("Closing the KaTeX context failed")

    def _run(self, items: list[tuple[str, bool]], timeout: float) -> list[_Typeset]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._run_here(items, timeout)  # the usual case: no thread hop
        return self._worker().submit(self._run_here, items, timeout).result()

    def _run_here(
        self, items: list[tuple[str, bool]], timeout: float
    ) -> list[_Typeset]:
        racer = self._context()
        raw = racer.call(
            "__shortscienceTypeset",
            items,
            _KATEX_OPTIONS,
            _KATEX_MACROS,
            timeout_sec=timeout,
        )
        return [_Typeset(r.get("html"), r.get("error")) for r in json.loads(raw)]

    def typeset(self, items: list[tuple[str, bool]]) -> list[_Typeset]:
        """Typeset each (tex, display) pair; never raise."""
        if not items:
            return []
        with self._lock:
            try:
                return self._run(items, _TYPESET_TIMEOUT_SEC)
            except JSTimeoutException:
                pass
            except Exception:
                self._fail()
                return [_UNAVAILABLE] * len(items)
            # Retry one at a time under a fresh budget, so one runaway formula
            # does not take the rest of the document down with it. V8 stops
            # the script on timeout and the context stays usable.
            deadline = time.monotonic() + _TYPESET_TIMEOUT_SEC
            results = []
            for item in items:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    results.append(_TOO_LONG)
                    continue
                try:
                    timeout = min(remaining, _FORMULA_TIMEOUT_SEC)
                    results.extend(self._run([item], timeout))
                except JSTimeoutException:
                    results.append(_TOO_LONG)
                except Exception:
                    self._fail()
                    results.append(_UNAVAILABLE)
            return results

    def _fail(self) -> None:
        logger.exception("KaTeX engine failed")
        self._discard()


_TOO_LONG = _Typeset(None, "typesetting took too long")
_UNAVAILABLE = _Typeset(None, "math typesetting is unavailable")

_engine = _KatexEngine()
# Close while the interpreter is still whole: closing from the garbage collector
# during shutdown can deadlock joining the thread that drives V8.
atexit.register(_engine.close)


def _error_html(tex: str, message: str, *, opener: str, closer: str, tag: str) -> str:
    return (
        f'<{tag} class="math-error" title="KaTeX: {escapeHtml(message)}">'
        f"<code>{escapeHtml(opener + tex + closer)}</code></{tag}>"
    )


def render_math(tex: str, display: bool) -> str:
    """Return KaTeX's HTML for one formula, or its escaped source marked as an error.

    The KaTeX HTML is not sanitised here; `render()` sanitises whole documents.
    """
    (result,) = _engine.typeset([(tex, display)])
    if result.html is not None:
        return result.html
    delimiter = "$$" if display else "$"
    return _error_html(
        tex,
        result.error or "",
        opener=delimiter,
        closer=delimiter,
        tag="div" if display else "span",
    )


# --- Markdown ----------------------------------------------------------------


class _MathKind(NamedTuple):
    display: bool
    opener: str
    closer: str


_MATH_KINDS = {
    "math_inline": _MathKind(False, "$", "$"),
    "math_inline_double": _MathKind(True, "$$", "$$"),
    "math_block": _MathKind(True, "$$", "$$"),
    "math_inline_paren": _MathKind(False, "\\(", "\\)"),
    "math_inline_bracket": _MathKind(True, "\\[", "\\]"),
    "math_block_bracket": _MathKind(True, "\\[", "\\]"),
}

_BRACKET_CLOSERS = {"(": ")", "[": "]"}


def _find_closer(src: str, closer: str, start: int, end: int) -> int:
    """Return the index of the first unescaped backslash+closer in src[start:end].

    A backslash pair (`\\\\`) is a TeX line break, so `\\\\)` does not close.
    """
    needle = "\\" + closer
    pos = start
    while True:
        found = src.find(needle, pos, end)
        if found == -1:
            return -1
        backslashes = 0
        while found - backslashes - 1 >= start and src[found - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return found
        pos = found + 1


def _math_inline_bracket(state: StateInline, silent: bool) -> bool:
    r"""Parse `\(...\)` and `\[...\]` inside a paragraph.

    Runs before the escape rule, which would otherwise turn `\(` into `(`.
    """
    src, start = state.src, state.pos
    if src[start] != "\\" or start + 1 >= state.posMax:
        return False
    opener = src[start + 1]
    closer = _BRACKET_CLOSERS.get(opener)
    if closer is None:
        return False
    # With no closer after one opener, every later opener fails too: remember it,
    # or a run of `\(` rescans the rest of the paragraph for each one (quadratic).
    cache: dict[Any, int] = state.cache
    no_closer_from = ("math-closer", closer, state.posMax)
    if start + 2 >= cache.get(no_closer_from, state.posMax + 1):
        return False
    end = _find_closer(src, closer, start + 2, state.posMax)
    if end == -1:
        cache[no_closer_from] = start + 2
        return False
    if not src[start + 2 : end].strip():
        return False
    if not silent:
        kind = "math_inline_paren" if opener == "(" else "math_inline_bracket"
        token = state.push(kind, "math", 0)
        token.content = src[start + 2 : end]
        token.markup = "\\" + opener
    state.pos = end + 2
    return True


def _math_block_bracket(
    state: StateBlock, start_line: int, end_line: int, silent: bool
) -> bool:
    r"""Parse `\[...\]` starting a block, on one line or spanning several."""
    if is_code_block(state, start_line):
        return False
    src = state.src
    start = state.bMarks[start_line] + state.tShift[start_line]
    if not src.startswith("\\[", start):
        return False

    line = start_line
    line_start = start + 2
    while line < end_line:
        line_end = state.eMarks[line]
        if line > start_line and not src[line_start:line_end].strip():
            return False
        found = _find_closer(src, "]", line_start, line_end)
        if found != -1:
            # Text after the closer makes this a paragraph, not a display block.
            if src[found + 2 : line_end].strip():
                return False
            break
        line += 1
        if line < end_line:
            line_start = state.bMarks[line]
    else:
        return False

    parts = [src[start + 2 : state.eMarks[start_line]]]
    for middle in range(start_line + 1, line + 1):
        parts.append(src[state.bMarks[middle] : state.eMarks[middle]])
    content = "\n".join(parts)
    # Cut at the closer: it is on the last line, after which only blanks remain.
    content = content[: content.rstrip().rfind("\\]")]
    if not content.strip():
        return False
    if not silent:
        token = state.push("math_block_bracket", "math", 0)
        token.block = True
        token.content = content
        token.markup = "\\["
        token.map = [start_line, line + 1]
    state.line = line + 1
    return True


_DISPLAY_DELIMITER_RE = re.compile(r"\\[\\$\[\]]|\$\$")


def _open_display_math(text: str, opener: str | None) -> str | None:
    """Return the display-math opener still unclosed after text, if any."""
    for match in _DISPLAY_DELIMITER_RE.finditer(text):
        delimiter = match.group()
        if opener is None and delimiter in ("$$", "\\["):
            opener = delimiter
        elif (opener, delimiter) in (("$$", "$$"), ("\\[", "\\]")):
            opener = None
    return opener


def _paragraph(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Parse a paragraph, not letting a line end it while display math is open.

    Same as markdown-it's paragraph rule, except that a line such as `- b` or
    `> b` inside `$$a ... $$` continues the formula instead of starting a list
    or a quote.
    """
    next_line = start_line + 1
    terminator_rules = state.md.block.ruler.getRules("paragraph")
    end_line = state.lineMax
    old_parent_type = state.parentType
    state.parentType = "paragraph"

    def line_text(line: int) -> str:
        return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]

    math_opener = _open_display_math(line_text(start_line), None)
    while next_line < end_line:
        if state.isEmpty(next_line):
            break
        # Lazy continuation lines: indented code or blockquote quirks (as upstream).
        continues = (
            math_opener is not None
            or state.sCount[next_line] - state.blkIndent > 3
            or state.sCount[next_line] < 0
        )
        if not continues and any(
            rule(state, next_line, end_line, True) for rule in terminator_rules
        ):
            break
        math_opener = _open_display_math(line_text(next_line), math_opener)
        next_line += 1

    content = mdTrim(state.getLines(start_line, next_line, state.blkIndent, False))
    state.line = next_line

    token = state.push("paragraph_open", "p", 1)
    token.map = [start_line, state.line]
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [start_line, state.line]
    token.children = []
    state.push("paragraph_close", "p", -1)

    state.parentType = old_parent_type
    return True


_GFM_SCHEMES = ("http", "https", "mailto", "xmpp")


def _gfm_protocol(state: StateInline, silent: bool) -> bool:
    """The GFM autolink rule for `scheme:` links, in linear time.

    The plugin's rule regex-searches all the pending text for a scheme name at every
    colon: quadratic in a long paragraph (40,000 characters of "a:" took 10 s). It
    can only match when the pending text ends with a scheme name, and then needs
    only its last few characters, so the rest is flushed to a text token first.
    """
    if (
        silent
        or state.src[state.pos] != ":"
        or not state.pending.endswith(_GFM_SCHEMES)
    ):
        return False  # what the plugin's rule returns here too
    pending = state.pending
    if len(pending) > 8:
        state.pending = pending[:-8]
        state.pushPending()
        state.pending = pending[-8:]
    return _gfm_protocol_rule(state, silent)


_IMAGE_URL_RE = re.compile(
    r"https?://[^\s<>\"'`]+?\.(?:png|jpe?g|gif|webp|svg)(?:\?[^\s<>\"'`]*)?",
    re.IGNORECASE,
)


def _bare_images(state: StateCore) -> None:
    """Turn a paragraph holding nothing but an image URL into that image."""
    tokens = state.tokens
    for i in range(1, len(tokens) - 1):
        token = tokens[i]
        if (
            token.type == "inline"
            and tokens[i - 1].type == "paragraph_open"
            and tokens[i + 1].type == "paragraph_close"
            and _IMAGE_URL_RE.fullmatch(token.content.strip())
        ):
            url = token.content.strip()
            image = Token("bare_image", "img", 0)
            image.attrSet("src", state.md.normalizeLink(url))
            filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
            image.attrSet("alt", filename or "image")
            token.children = [image]


def _render_math(
    self: Any, tokens: list[Token], idx: int, options: Any, env: Any
) -> str:
    token = tokens[idx]
    kind = _MATH_KINDS[token.type]
    result: _Typeset = token.meta["typeset"]
    tag = "div" if token.block else "span"
    newline = "\n" if token.block else ""
    if result.html is not None:
        style = "display" if kind.display else "inline"
        return f'<{tag} class="math math-{style}">{result.html}</{tag}>{newline}'
    error = _error_html(
        token.content.strip(),
        result.error or "",
        opener=kind.opener,
        closer=kind.closer,
        tag=tag,
    )
    return error + newline


def _render_bare_image(
    self: Any, tokens: list[Token], idx: int, options: Any, env: Any
) -> str:
    src = escapeHtml(str(tokens[idx].attrGet("src")))
    alt = escapeHtml(str(tokens[idx].attrGet("alt")))
    return (
        f'<a href="{src}"><img src="{src}" alt="{alt}" loading="lazy"'
        ' class="md-img"></a>'
    )


# --- Paper citations -----------------------------------------------------------

# \cite{arXiv:1611.03530} and \cite{doi:10.1038/nature14539} (several keys may be
# separated by commas) link to /cite/<kind>/<id>, which opens the paper on the site
# or offers to add it; the link stays right whatever papers the site has later.
CITE_URL = "/cite/{kind}/{value}"
_CITE_RE = re.compile(r"\\cite\{([^{}\n]{1,500})\}")
# Links that name a paper: a page of this site, or an arXiv abstract or PDF.
_PAPER_LINK_RE = re.compile(r"^(?:https?://[^/]+)?/papers/(\d+)/?(?:[?#].*)?$")
_ARXIV_LINK_RE = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.I
)


def _cite_key(key: str) -> tuple[str, str] | None:
    from papers.sources.ids import InvalidIdentifier, parse_arxiv_id, parse_doi

    key = key.strip()
    prefix, _, value = key.partition(":")
    if prefix.lower() == "arxiv":
        try:
            return ("arxiv", parse_arxiv_id(value).id)
        except InvalidIdentifier:
            return None
    if prefix.lower() == "doi":
        doi = parse_doi(value)
        # "10.1/../../x" would link to another page of the site.
        if doi is None or {".", ".."} & set(doi.split("/")):
            return None
        return ("doi", doi)
    return None


def _paper_cite(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("\\cite{", state.pos):
        return False
    match = _CITE_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    keys = [_cite_key(k) for k in match[1].split(",")]
    if not keys or None in keys:
        return False  # not a citation we understand: it stays text
    if not silent:
        token = state.push("paper_cite", "", 0)
        token.meta["keys"] = keys
        token.content = match[0]
    state.pos = match.end()
    return True


def _render_paper_cite(
    self: Any, tokens: list[Token], idx: int, options: Any, env: Any
) -> str:
    links = []
    for kind, value in tokens[idx].meta["keys"]:
        label = f"arXiv:{value}" if kind == "arxiv" else f"doi:{value}"
        # A DOI may hold "?", "#", "%" or quotes: it goes into the path encoded.
        href = CITE_URL.format(kind=kind, value=quote(value, safe="/:;()"))
        links.append(
            f'<a class="paper-cite" href="{escapeHtml(href)}">{escapeHtml(label)}</a>'
        )
    return "[" + ", ".join(links) + "]"


def extract_citations(source: str) -> list[tuple[str, str]]:
    """Return the papers a text cites: ("arxiv", id), ("doi", doi) or ("paper", pk).

    Counts \\cite{...} keys and links to paper pages of the site or to arXiv; code
    and math are not looked into.
    """
    found: list[tuple[str, str]] = []
    for token in _md.parse(source, {}):
        for child in token.children or ():
            if child.type == "paper_cite":
                found.extend(child.meta["keys"])
            elif child.type == "link_open":
                href = child.attrGet("href") or ""
                if match := _PAPER_LINK_RE.match(href):
                    found.append(("paper", match[1]))
                elif (match := _ARXIV_LINK_RE.match(href)) and (
                    key := _cite_key(f"arXiv:{match[1]}")
                ):
                    found.append(key)
    return list(dict.fromkeys(found))


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # Currency ("$5 and $10") stays text: no space inside the delimiters and no
    # digit after the closing one. Labels would emit user-chosen ids.
    dollarmath_plugin(
        md,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        allow_blank_lines=False,
        double_inline=True,
    )
    md.block.ruler.at("paragraph", _paragraph)
    md.inline.ruler.before("escape", "math_inline_bracket", _math_inline_bracket)
    md.inline.ruler.before("escape", "paper_cite", _paper_cite)
    md.block.ruler.before("fence", "math_block_bracket", _math_block_bracket)
    gfm_autolink_plugin(md)
    md.inline.ruler.at("gfm_autolink_protocol", _gfm_protocol)
    md.core.ruler.after("inline", "bare_images", _bare_images)

    for kind in _MATH_KINDS:
        md.add_render_rule(kind, _render_math)
    md.add_render_rule("bare_image", _render_bare_image)
    md.add_render_rule("paper_cite", _render_paper_cite)

    default_image = md.renderer.rules["image"]

    def render_image(
        self: Any, tokens: list[Token], idx: int, options: Any, env: Any
    ) -> str:
        tokens[idx].attrSet("loading", "lazy")
        tokens[idx].attrSet("class", "md-img")
        return default_image(tokens, idx, options, env)

    md.add_render_rule("image", render_image)
    return md


_md = _build_markdown()


# --- Sanitising --------------------------------------------------------------

_MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext",
    "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover",
    "munder", "munderover", "mtable", "mtr", "mtd", "mlabeledtr", "mstyle",
    "mpadded", "mphantom", "menclose",
}  # fmt: skip

# KaTeX draws stretchy glyphs (\sqrt, \widehat, long arrows, braces) as SVG.
_SVG_TAGS = {"svg", "path", "line"}

_HTML_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del",
    "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table",
    "thead", "tbody", "tr", "th", "td", "span", "div", "sup", "sub",
}  # fmt: skip

_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "loading", "class"},
    "ol": {"start"},
    "code": {"class"},
    "pre": {"class"},
    # Tables carry column alignment as inline style.
    "th": {"style"},
    "td": {"style"},
    "span": {"class", "style", "aria-hidden", "title"},
    "div": {"class", "style", "title"},
    "svg": {"xmlns", "width", "height", "viewBox", "preserveAspectRatio", "style"},
    "path": {"d"},
    "line": {"x1", "y1", "x2", "y2", "stroke-width"},
    "math": {"xmlns", "display"},
    "annotation": {"encoding"},
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mtext": {"mathvariant"},
    "mo": {
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "minsize",
        "maxsize",
        "symmetric",
        "movablelimits",
        "accent",
    },
    "mspace": {"width", "height", "depth", "mathbackground"},
    "mfrac": {"linethickness"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mstyle": {"displaystyle", "scriptlevel", "mathcolor", "mathsize", "style"},
    "mpadded": {
        "width",
        "height",
        "depth",
        "lspace",
        "voffset",
        "mathbackground",
        "class",
        "style",
    },
    "mtable": {
        "columnalign",
        "rowspacing",
        "columnspacing",
        "columnlines",
        "rowlines",
        "width",
    },
    "mtd": {"class", "width", "columnalign"},
    "menclose": {"notation"},
}

# Every property KaTeX 0.16 sets (found by rendering a battery of formulas and
# reading its style assignments), plus table alignment.
_STYLE_PROPERTIES = {
    "background-color", "border", "border-bottom-width", "border-color",
    "border-right-style", "border-right-width", "border-style",
    "border-top-width", "border-width", "bottom", "color", "height", "left",
    "margin", "margin-left", "margin-right", "margin-top", "min-width",
    "padding-left", "position", "text-shadow", "top", "vertical-align", "width",
    "text-align",
}  # fmt: skip

_cleaner = nh3.Cleaner(
    tags=_HTML_TAGS | _MATHML_TAGS | _SVG_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow ugc noopener",
    filter_style_properties=_STYLE_PROPERTIES,
    strip_comments=True,
)


# --- Public entry point --------------------------------------------------------


def _math_tokens(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        if token.type in _MATH_KINDS:
            found.append(token)
        elif token.children:
            found.extend(c for c in token.children if c.type in _MATH_KINDS)
    return found


def render(source: str) -> str:
    """Render Markdown with LaTeX math to sanitised HTML.

    Never raise on bad input: a formula KaTeX rejects is shown as its source.
    Blocking (KaTeX runs under a process-wide lock): from async code, call it
    through `sync_to_async`.
    """
    env: dict[str, Any] = {}
    tokens = _md.parse(source, env)
    math = _math_tokens(tokens)
    # One engine call per document: crossing into V8 costs as much as
    # typesetting a small formula.
    results = _engine.typeset(
        [(t.content.strip(), _MATH_KINDS[t.type].display) for t in math]
    )
    for token, result in zip(math, results, strict=True):
        token.meta["typeset"] = result
    return _cleaner.clean(_md.renderer.render(tokens, _md.options, env))
