"""Paper citations: \\cite{arXiv:...} and \\cite{doi:...} keys, and links that name a paper."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..identifiers import InvalidIdentifier, parse_arxiv_id, parse_doi

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


def citations_in(tokens: list[Token]) -> list[tuple[str, str]]:
    """Return the papers parsed tokens cite, in order, without repeats."""
    found: list[tuple[str, str]] = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "paper_cite":
                found.extend(child.meta["keys"])
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if match := _PAPER_LINK_RE.match(href):
                    found.append(("paper", match[1]))
                elif (match := _ARXIV_LINK_RE.match(href)) and (
                    key := _cite_key(f"arXiv:{match[1]}")
                ):
                    found.append(key)
    return list(dict.fromkeys(found))
