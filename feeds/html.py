"""Reshape stored summary HTML for places without the site's CSS: feeds, mail, previews.

Pure functions on the sanitised HTML that `shortscience.markup.render` stores, so
every tag and attribute here is one the sanitiser let through.
"""

import html
import re

# KaTeX emits each formula twice: MathML (read by browsers and screen readers) and
# a span layout that only looks right with KaTeX's CSS. Feed readers and mail
# clients load no CSS, so the layout copy is dropped and the MathML stays.
_KATEX_HTML_OPEN = re.compile(r'<span class="katex-html"[^>]*>')
_SPAN_TAG = re.compile(r"<(/?)span\b[^>]*>")
_IMG_SRC = re.compile(r'<img\b[^>]*\bsrc="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")
_MATHML = re.compile(r"<math\b.*?</math>", re.DOTALL)
_TEX_ANNOTATION = re.compile(
    r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.DOTALL
)


def _span_end(text: str, start: int) -> int:
    """Return the index just past the </span> that closes the span opened at `start`."""
    depth = 0
    for match in _SPAN_TAG.finditer(text, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return len(text)


def feed_html(body_html: str) -> str:
    """Return summary HTML whose math reads without scripts or CSS (MathML only)."""
    parts = []
    pos = 0
    while (match := _KATEX_HTML_OPEN.search(body_html, pos)) is not None:
        parts.append(body_html[pos : match.start()])
        pos = _span_end(body_html, match.start())
    parts.append(body_html[pos:])
    return "".join(parts)


def first_image(body_html: str) -> str:
    """Return the address of the first image in the HTML, or ""."""
    match = _IMG_SRC.search(body_html)
    return html.unescape(match.group(1)) if match else ""


def plain_text(body_html: str) -> str:
    """Return the text of the HTML, with each formula as its TeX source."""

    def tex(match: re.Match) -> str:
        # Still escaped here, so a "<" in the TeX cannot look like a tag below.
        source = _TEX_ANNOTATION.search(match.group(0))
        return f"${source.group(1)}$" if source else ""

    text = _MATHML.sub(tex, feed_html(body_html))
    text = _TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def excerpt(body_html: str, words: int = 60) -> str:
    """Return the first `words` words of the text, with an ellipsis when cut."""
    parts = plain_text(body_html).split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]) + " …"
