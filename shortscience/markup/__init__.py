"""Markdown + LaTeX to safe HTML: the one rendering pipeline for user text.

Summaries, comments and the live preview all go through `render()`. Markdown is
parsed by markdown-it-py with raw HTML disabled, math is cut out by the parser
before any Markdown rule can touch it, typeset on the server by KaTeX running in
an embedded V8, and the final HTML (KaTeX output included) is sanitised with an
explicit allowlist.
"""

from __future__ import annotations

from typing import Any, cast

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from .citations import CITE_URL, _paper_cite, _render_paper_cite, citations_in
from .engine import _engine, _katex_version, render_math
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

__all__ = ["CITE_URL", "RENDERER_VERSION", "extract_citations", "render", "render_math"]

# Bump whenever a change here can change the HTML of an existing source, so that
# stored renders are redone in the background.
_REVISION = 4

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
        tokens[idx].attrSet("loading", "lazy")
        tokens[idx].attrSet("class", "md-img")
        return default_image(tokens, idx, options, env)

    md.add_render_rule("image", render_image)
    return md


_md = _build_markdown()


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
