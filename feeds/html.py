"""Reshape stored summary HTML for places without the site's CSS: feeds, mail, previews.

Pure functions on the sanitised HTML that `shortscience.markup.render` stores, so
every tag and attribute here is one the sanitiser let through.
"""

import html
import re

from .links import site_url

# KaTeX emits each formula twice: MathML (read by browsers and screen readers) and
# a span layout that only looks right with KaTeX's CSS. Feed readers and mail
# clients load no CSS, so the layout copy is dropped and the MathML stays.
_KATEX_HTML_OPEN = re.compile(r'<span class="katex-html"[^>]*>')
_SPAN_TAG = re.compile(r"<(/?)span\b[^>]*>")
_IMG_SRC = re.compile(r'<img\b[^>]*\bsrc="([^"]+)"')
# A site-relative address ("/media/...", not "//host/...") in a src or href attribute.
_RELATIVE_URL = re.compile(r'\b(src|href)="(/(?!/)[^"]*)"')
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
    """Return stored HTML as it reads away from the site: in a feed reader or a mail.

    The math shows once, as MathML, without scripts or CSS; uploaded images and links to
    the site's pages carry absolute addresses on SITE_URL.
    """
    parts = []
    pos = 0
    while (match := _KATEX_HTML_OPEN.search(body_html, pos)) is not None:
        parts.append(body_html[pos : match.start()])
        pos = _span_end(body_html, match.start())
    parts.append(body_html[pos:])
    return absolute_addresses("".join(parts))


def absolute_addresses(body_html: str) -> str:
    """Prefix the site's address to every site-relative src and href ("/media/...")."""
    prefix = html.escape(site_url(), quote=True)
    return _RELATIVE_URL.sub(
        lambda m: f'{m.group(1)}="{prefix}{m.group(2)}"', body_html
    )


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
