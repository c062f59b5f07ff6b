"""Excerpts for lists and a plain-text projection for search, from the parsed tokens.

Both are made by `render_document()` with the full HTML, from the same tokens (math
already typeset), so a list shows exactly what the summary page shows, cut short.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from markdown_it.token import Token

# About this many characters of text make an excerpt; it is cut at a word.
EXCERPT_CHARS = 300
# Around math in the plain text: invisible format characters, which full-text
# tokenizers treat as separators, so the words of a formula stay searchable.
MATH_START = "\u2062"
MATH_STOP = "\u2063"
# URLs longer than this are shortened in the plain text (a snippet must never
# widen a phone's layout).
URL_CHARS = 40

_MATH_TYPES = {
    "math_inline",
    "math_inline_double",
    "math_block",
    "math_inline_paren",
    "math_inline_bracket",
    "math_block_bracket",
}
_SKIPPED = {"image", "bare_image"}
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def shorten_url(url: str) -> str:
    """`https://example.org/a/very/long/path.png` -> `example.org/a/very/…`."""
    if len(url) <= URL_CHARS:
        return url
    parts = urlsplit(url if "://" in url else "http://" + url)
    short = (parts.netloc + parts.path)[: URL_CHARS - 1]
    return short.rstrip("/.") + "…"


def _shorten_urls(text: str) -> str:
    return _URL_RE.sub(lambda m: shorten_url(m.group(0)), text)


def _tex(token: Token) -> str:
    return " ".join(token.content.split())


def plain_text(tokens: list[Token]) -> str:
    """The text a reader sees: no Markdown syntax, math as compact TeX between
    MATH_START and MATH_STOP, images left out, long URLs shortened."""
    blocks: list[str] = []
    for token in tokens:
        if token.type == "inline":
            blocks.append(_inline_text(token.children or []))
        elif token.type in _MATH_TYPES:
            blocks.append(MATH_START + _tex(token) + MATH_STOP)
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content.strip())
    return "\n\n".join(b for b in blocks if b.strip())


def _inline_text(children: list[Token]) -> str:
    out: list[str] = []
    for child in children:
        if child.type in _SKIPPED:
            continue
        if child.type in ("text", "code_inline"):
            out.append(_shorten_urls(_strip_markers(child.content)))
        elif child.type in _MATH_TYPES:
            out.append(MATH_START + _tex(child) + MATH_STOP)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "paper_cite":
            out.append(_strip_markers(child.content))
    return "".join(out).strip()


def _strip_markers(text: str) -> str:
    return text.replace(MATH_START, "").replace(MATH_STOP, "")


def _visible_length(token: Token) -> int:
    if token.type in ("text", "code_inline"):
        return len(token.content)
    if token.type in _MATH_TYPES:
        return min(len(_tex(token)), 60)
    if token.type in ("softbreak", "hardbreak"):
        return 1
    return 0


def excerpt_children(tokens: list[Token]) -> tuple[list[Token], bool]:
    """The inline tokens of the excerpt and whether they were cut short.

    The first paragraph with something besides images, images removed, cut after
    about EXCERPT_CHARS characters at a word, with every open emphasis or link closed.
    Headings, lists' markers, code blocks and display math on their own are skipped.
    """
    for i, token in enumerate(tokens):
        if token.type != "paragraph_open" or i + 1 >= len(tokens):
            continue
        children = [c for c in tokens[i + 1].children or [] if c.type not in _SKIPPED]
        if not any(_visible_length(c) and (c.content or "").strip() for c in children):
            continue
        return _cut(children)
    return [], False


def _cut(children: list[Token]) -> tuple[list[Token], bool]:
    kept: list[Token] = []
    stack: list[Token] = []
    used = 0
    cut = False
    for child in children:
        length = _visible_length(child)
        if used + length > EXCERPT_CHARS:
            cut = True
            if child.type == "text":
                room = EXCERPT_CHARS - used
                head = child.content[: room + 1]
                head = head[: head.rfind(" ")] if " " in head else ""
                if head.strip():
                    part = Token("text", "", 0)
                    part.content = head.rstrip()
                    kept.append(part)
            elif not kept:
                kept.append(child)
            break
        kept.append(child)
        used += length
        if child.nesting == 1:
            stack.append(child)
        elif child.nesting == -1 and stack:
            stack.pop()
    for opener in reversed(stack if cut else []):
        closer = Token(opener.type.replace("_open", "_close"), opener.tag, -1)
        closer.markup = opener.markup
        kept.append(closer)
    return kept, cut


def excerpt_html(md: Any, tokens: list[Token], env: Any) -> str:
    """Render the excerpt as one paragraph ending in "…" when cut; "" when none."""
    children, cut = excerpt_children(tokens)
    if not children:
        return ""
    inner = md.renderer.renderInline(children, md.options, env).strip()
    if not inner:
        return ""
    return f"<p>{inner}{'…' if cut else ''}</p>\n"
