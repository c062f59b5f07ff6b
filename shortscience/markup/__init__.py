"""Markdown + LaTeX to safe HTML: the one rendering pipeline for user text.

Summaries, comments and the live preview all go through `render()`. Markdown is
parsed by markdown-it-py with raw HTML disabled, math is cut out by the parser
before any Markdown rule can touch it, typeset on the server by KaTeX running in
an embedded V8, and the final HTML (KaTeX output included) is sanitised with an
explicit allowlist.
"""

from __future__ import annotations

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
    With a `timeout` (seconds), raise `RenderTimeout` instead of running past it:
    the web path's previews use one, so that no text within the size limit holds
    a worker for long. Blocking (KaTeX runs under a process-wide lock): from async
    code, call it through `sync_to_async`.
    """
    if timeout is not None:
        _engine.warm()  # loading KaTeX (once per process) is not the text's cost
    deadline = None if timeout is None else time.monotonic() + timeout
    token = _deadline.set(deadline)
    try:
        return _render(source, deadline)
    finally:
        _deadline.reset(token)


def _render(source: str, deadline: float | None) -> str:
    env: dict[str, Any] = {}
    tokens = _parse_and_typeset(source, env, deadline)
    return _cleaner.clean(_md.renderer.render(tokens, _md.options, env))


def _parse_and_typeset(source: str, env: Any, deadline: float | None) -> list[Token]:
    tokens = _md.parse(source, env)
    math = _math_tokens(tokens)
    # One engine call per document: crossing into V8 costs as much as
    # typesetting a small formula.
    results = _engine.typeset(
        [(t.content.strip(), _MATH_KINDS[t.type].display) for t in math],
        timeout=None if deadline is None else deadline - time.monotonic(),
    )
    if deadline is not None and time.monotonic() > deadline:
        raise RenderTimeout
    for token, result in zip(math, results, strict=True):
        token.meta["typeset"] = result
    return tokens
