"""markdown-it-py rules: math delimiters, paragraphs around display math, bare images.

Math is cut out by the parser before any Markdown rule can touch it: `$...$`,
`$$...$$` (dollarmath plugin), `\\(...\\)` and `\\[...\\]` (rules below).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from markdown_it.common.utils import escapeHtml, mdTrim
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.gfm_autolink.index import _protocol_rule as _gfm_protocol_rule
from mdit_py_plugins.utils import is_code_block

from ..imageproxy.signing import proxied_url
from .engine import _error_html, _Typeset


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
    src = escapeHtml(proxied_url(str(tokens[idx].attrGet("src"))))
    alt = escapeHtml(str(tokens[idx].attrGet("alt")))
    return (
        f'<a href="{src}"><img src="{src}" alt="{alt}" loading="lazy"'
        ' class="md-img"></a>'
    )


# --- ShortScience-style `$ ... $` --------------------------------------------------

# Signs that a spaced `$ ... $` span is TeX rather than prose or a price.
_TEX_SIGNAL_RE = re.compile(r"\\[A-Za-z]|[\\^_{}=<>]")
# A lone symbol: `$ x $`, `$ f' $`, `$ W $`.
_TEX_SYMBOL_RE = re.compile(r"[A-Za-z][A-Za-z0-9']{0,2}")
# Text inside \text{...} and friends, and control words, are not prose words.
_TEX_WORDS_RE = re.compile(
    r"\\(?:text\w*|math\w+|mbox|operatorname\*?)\s*\{[^{}]*\}|\\[A-Za-z]+"
)
# Two words of prose in a row: a shell command or a sentence between prices.
_PROSE_RE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}\s+[A-Za-z]{2,}(?![A-Za-z])")


def _looks_like_tex(text: str) -> bool:
    """Whether a span written with spaces inside its dollars reads as TeX."""
    stripped = text.strip()
    if not stripped or stripped[0].isdigit():
        return False
    if not (_TEX_SIGNAL_RE.search(stripped) or _TEX_SYMBOL_RE.fullmatch(stripped)):
        return False
    return not _PROSE_RE.search(_TEX_WORDS_RE.sub(" ", stripped))


def _escaped(src: str, pos: int, start: int = 0) -> bool:
    backslashes = 0
    while pos - backslashes - 1 >= start and src[pos - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _math_inline_spaced(state: StateInline, silent: bool) -> bool:
    r"""Parse `$ ... $` with spaces inside the dollars, as MathJax does on ShortScience.

    Runs after the dollarmath rule, so it only sees spans that rule refused: those
    with a space after the opening or before the closing `$`. Such a span is math
    when the opener does not follow a digit, the closer is not followed by one, and
    the text between reads as TeX (`_looks_like_tex`): a control word or one of
    ``^ _ { } = < >``, or a lone symbol, and no two prose words in a row. So
    `$ V_D^{\pi}(s) = \sum_t r_t $` is math while `$ 3 $`, `$5 and $10` and
    `$ pip install torch $` stay text.
    """
    src, start, end = state.src, state.pos, state.posMax
    if src[start] != "$" or start + 1 >= end or src[start + 1] == "$":
        return False
    if start > 0 and (src[start - 1].isdigit() or src[start - 1] == "$"):
        return False
    if _escaped(src, start):
        return False
    # As for `\(`: with no closer after one opener, later openers have none either.
    cache: dict[Any, int] = state.cache
    no_closer_from = ("math-closer", "$", end)
    if start + 1 >= cache.get(no_closer_from, end + 1):
        return False
    closer = start + 1
    while True:
        closer = src.find("$", closer, end)
        if closer == -1:
            cache[no_closer_from] = start + 1
            return False
        if not _escaped(src, closer, start + 1):
            break
        closer += 1
    if closer + 1 < end and (src[closer + 1].isdigit() or src[closer + 1] == "$"):
        return False
    text = src[start + 1 : closer]
    if not _looks_like_tex(text):
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = text
        token.markup = "$"
    state.pos = closer + 1
    return True
