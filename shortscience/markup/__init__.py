"""Markdown + LaTeX to safe HTML: the one rendering pipeline for user text.

Summaries, comments and the live preview all go through `render()`. Markdown is
parsed by markdown-it-py with raw HTML disabled, math is cut out by the parser
before any Markdown rule can touch it, typeset on the server by KaTeX running in
an embedded V8, and the final HTML (KaTeX output included) is sanitised with an
explicit allowlist.
"""

from __future__ import annotations

import contextvars
import gc
import sys
import threading
import time
from contextvars import ContextVar
from typing import Any, NamedTuple, cast

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from ..imageproxy.signing import proxied_url
from .citations import CITE_URL, _paper_cite, _render_paper_cite, citations_in
from .engine import _engine, _katex_version, render_math
from .excerpt import MATH_START, MATH_STOP, excerpt_html, plain_text, shorten_url
from .rules import (
    _MATH_KINDS,
    _bare_images,
    _gfm_protocol,
    _math_block_bracket,
    _math_inline_bracket,
    _math_inline_spaced,
    _paragraph,
    _render_bare_image,
    _render_math,
)
from .sanitise import _cleaner

__all__ = [
    "CITE_URL",
    "MATH_START",
    "MATH_STOP",
    "RENDERER_VERSION",
    "RenderTimeout",
    "Rendered",
    "render_document",
    "shorten_url",
    "extract_citations",
    "render",
    "render_math",
]

# Bump whenever a change here can change the HTML of an existing source, so that
# stored renders are redone in the background.
_REVISION = 6  # 6: images from other sites go through the image proxy

RENDERER_VERSION = f"md{_REVISION}-katex{_katex_version()}"


def extract_citations(source: str) -> list[tuple[str, str]]:
    """Return the papers a text cites: ("arxiv", id), ("doi", doi) or ("paper", pk).

    Counts \\cite{...} keys and links to paper pages of the site or to arXiv; code
    and math are not looked into.
    """
    return citations_in(_md.parse(source, {}))


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
    # ShortScience's MathJax also takes `$ x^2 $`, spaces inside: see the rule.
    md.inline.ruler.after("math_inline", "math_inline_spaced", _math_inline_spaced)
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

    default_image = cast(RendererHTML, md.renderer).rules["image"]

    def render_image(
        self: Any, tokens: list[Token], idx: int, options: Any, env: Any
    ) -> str:
        token = tokens[idx]
        token.attrSet("src", proxied_url(str(token.attrGet("src") or "")))
        token.attrSet("loading", "lazy")
        token.attrSet("class", "md-img")
        return default_image(tokens, idx, options, env)

    md.add_render_rule("image", render_image)
    return md


class RenderTimeout(Exception):
    """Rendering ran past the time it was given (`render(..., timeout=...)`)."""


# The `time.monotonic()` by which the current render must end, if it has a limit.
_deadline: ContextVar[float | None] = ContextVar("markup_deadline", default=None)


def _bounded(rule: Any) -> Any:
    def bounded_rule(*args: Any) -> Any:
        deadline = _deadline.get()
        if deadline is not None and time.monotonic() > deadline:
            raise RenderTimeout
        return rule(*args)

    return bounded_rule


def _bound_rules(md: MarkdownIt) -> None:
    """Make every parser rule stop the parse once the render's deadline has passed.

    Markdown-it's inline loop (and its look-ahead, `skipToken`) calls the first
    rule at every position it visits, and the block loop at every line, so only
    those first rules and the few post-processing rules check the clock. A
    pathological input (a run of `![`, `*a` or `[a](` takes seconds at 100 kB) is
    cut off within one rule call of its deadline, while other renders pay one
    context-variable read per check.
    """
    for ruler in (md.core.ruler, md.inline.ruler2):
        for rule in ruler.__rules__:
            rule.fn = _bounded(rule.fn)
        ruler.__cache__ = None
    for ruler in (md.block.ruler, md.inline.ruler):  # type: ignore[assignment]
        first = next(rule for rule in ruler.__rules__ if rule.enabled)
        first.fn = _bounded(first.fn)
        ruler.__cache__ = None


_md = _build_markdown()
_bound_rules(_md)


# --- Public entry point --------------------------------------------------------


def _math_tokens(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        if token.type in _MATH_KINDS:
            found.append(token)
        elif token.children:
            found.extend(c for c in token.children if c.type in _MATH_KINDS)
    return found


class Rendered(NamedTuple):
    """A text rendered for its page, for lists and for search."""

    html: str
    # The first paragraph (or about 300 characters of it, cut at a word), math
    # typeset, images and headings left out; "" when the text has no paragraph.
    excerpt_html: str
    # What a reader sees, as plain text: math as compact TeX between MATH_START
    # and MATH_STOP, no Markdown syntax, no images, long URLs shortened.
    plain_text: str


def render_document(source: str) -> Rendered:
    """Render a stored text: its HTML, its excerpt and its plain text, in one parse."""
    env: dict[str, Any] = {}
    tokens = _parse_and_typeset(source, env, None)
    html = _cleaner.clean(_md.renderer.render(tokens, _md.options, env))
    excerpt = excerpt_html(_md, tokens, env)
    return Rendered(
        html, _cleaner.clean(excerpt) if excerpt else "", plain_text(tokens)
    )


def render(source: str, *, timeout: float | None = None) -> str:
    """Render Markdown with LaTeX math to sanitised HTML.

    Never raise on bad input: a formula KaTeX rejects is shown as its source.

    With a `timeout` (seconds), return within it or raise `RenderTimeout`: the web
    path's previews use one, so that no text within the size limit holds a request past
    its bound. The render then runs in a worker thread that is abandoned at the deadline
    (see `_render_by`), so no single slow step (a parser rule, typesetting, sanitising a
    large output, a garbage collection) can make the answer late. Blocking (KaTeX runs
    under a process-wide lock): from async code, call it through `sync_to_async`.
    """
    if timeout is None:
        return _render(source, None)
    return _render_by(source, time.monotonic() + timeout)


def _render_by(source: str, deadline: float) -> str:
    """Render in a worker thread; answer with its HTML, or RenderTimeout by `deadline`.

    The worker checks the clock at every parser rule, gives KaTeX what is left as its
    budget and checks again before sanitising; at STOP_MARGIN before the deadline it
    stops, tells the waiting thread and sleeps (letting go of the interpreter) while the
    answer leaves, and only then frees its tokens, which holds the interpreter for tens
    of milliseconds. Should one step not come back to the clock in time, the waiting
    thread stops waiting at WAKE_MARGIN before the deadline anyway and the worker is
    abandoned: KaTeX (V8) and the sanitiser (nh3) let go of the interpreter while they
    run, the cyclic garbage collector waits (see _collector_pause), and Python switches
    threads every millisecond meanwhile.
    """
    outcome: dict[str, Any] = {}
    finished = threading.Event()
    stop_at = deadline - STOP_MARGIN

    def work() -> None:
        _collector_pause()
        try:
            try:
                _engine.warm()  # once per process; part of the first preview's time
                outcome["html"] = _render(source, stop_at)
            except RenderTimeout:
                outcome["error"] = RenderTimeout()
                finished.set()
                # The traceback holds the parse: free it once the answer has left.
                threading.Event().wait(FREE_AFTER)
            except BaseException as exc:  # handed to the waiting thread, raised there
                outcome["error"] = exc
        finally:
            _collector_resume()
            finished.set()

    worker = threading.Thread(
        target=contextvars.copy_context().run,
        args=(work,),
        name="markup-bounded-render",
        daemon=True,
    )
    worker.start()
    if not finished.wait(max(0.0, deadline - WAKE_MARGIN - time.monotonic())):
        raise RenderTimeout
    if "error" in outcome:
        raise outcome["error"]
    return outcome["html"]


# Bounded renders running now; while there are any, the cyclic garbage collector waits
# and threads take turns more often.
_paused = 0
_paused_lock = threading.Lock()
_switch_interval = sys.getswitchinterval()
# How often, at most, a running thread hands the interpreter over to a waiting one while
# a bounded render runs (Python's default is 5 ms).
BOUNDED_SWITCH_INTERVAL = 0.001
# The worker stops this long before the deadline, leaving the waiting thread the time to
# get a processor and answer (measured: up to 20 ms with the machine's two cores shared
# ten ways).
STOP_MARGIN = 0.03
# Should the worker not stop in time (one step that does not look at the clock, such as
# markdown-it's pairing of emphasis delimiters), the waiting thread gives up this long
# before the deadline: a worker that holds the interpreter delays its wake-up by up to
# as much again on a loaded machine.
WAKE_MARGIN = 0.02
# A stopped worker frees its parse this long after it stopped, once the answer has left.
FREE_AFTER = 0.03


def _collector_pause() -> None:
    """Make the waiting thread's wake-up prompt while a bounded render runs.

    A render makes some 10^5 short-lived tokens, which reference counting frees; but
    their number triggers full collections, and one holds the interpreter for 100-200 ms
    on a loaded machine, during which no thread runs, the waiting one included: the
    answer would be that late. So the collector waits until the last bounded render ends
    (each ends within one step of its deadline) and collects then. And the worker hands
    the interpreter to the waiting thread within BOUNDED_SWITCH_INTERVAL of its asking.
    """
    global _paused, _switch_interval
    with _paused_lock:
        _paused += 1
        if _paused == 1:
            gc.disable()
            _switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_interval, BOUNDED_SWITCH_INTERVAL))


def _collector_resume() -> None:
    global _paused
    with _paused_lock:
        _paused -= 1
        if _paused == 0:
            sys.setswitchinterval(_switch_interval)
            gc.enable()


def _check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise RenderTimeout


def _render(source: str, deadline: float | None) -> str:
    """Render, raising RenderTimeout at the first check past `deadline` (if any)."""
    token = _deadline.set(deadline)  # read by every bounded parser rule
    try:
        env: dict[str, Any] = {}
        tokens = _parse_and_typeset(source, env, deadline)
        html = _md.renderer.render(tokens, _md.options, env)
        _check(deadline)  # sanitising a large output is the last long step
        return _cleaner.clean(html)
    finally:
        _deadline.reset(token)


def _parse_and_typeset(source: str, env: Any, deadline: float | None) -> list[Token]:
    tokens = _md.parse(source, env)
    math = _math_tokens(tokens)
    # One engine call per document: crossing into V8 costs as much as
    # typesetting a small formula.
    results = _engine.typeset(
        [(t.content.strip(), _MATH_KINDS[t.type].display) for t in math],
        timeout=None if deadline is None else deadline - time.monotonic(),
    )
    _check(deadline)
    for token, result in zip(math, results, strict=True):
        token.meta["typeset"] = result
    return tokens
