"""BibTeX entries for papers and summaries. Pure functions: data in, text out.

Values are escaped for LaTeX, so a title with "&", "%" or "_" compiles as written.
Non-ASCII text stays UTF-8, which biber and modern BibTeX read as is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))
# Characters BibTeX does not allow in a citation key.
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9:/._+-]+")
_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to"})


def escape(value: str) -> str:
    """Return `value` with LaTeX's special characters escaped and whitespace collapsed."""
    value = " ".join(value.split())
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], value)


def _ascii_word(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(
        r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower()
    )


def make_key(*, first_author: str, year: int | None, title: str) -> str:
    """Return a key in Google Scholar's shape: surname, year, first title word."""
    surname = _ascii_word(first_author.split()[-1]) if first_author.split() else ""
    words = [_ascii_word(w) for w in title.split()]
    word = next((w for w in words if w and w not in _STOPWORDS), "")
    return f"{surname or 'anon'}{year or ''}{word}"


def clean_key(key: str) -> str:
    """Return `key` without the characters a citation key may not hold."""
    return _KEY_UNSAFE.sub("", key)


@dataclass
class Entry:
    """One BibTeX entry; fields keep their order, empty ones are left out."""

    kind: str
    key: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, value: str | int | None, *, raw: bool = False) -> None:
        if value is None or value == "":
            return
        text = str(value) if raw else escape(str(value))
        self.fields.append((name, text))

    def render(self) -> str:
        width = max((len(name) for name, _ in self.fields), default=0)
        lines = [f"@{self.kind}{{{self.key},"]
        lines += [
            f"  {name.ljust(width)} = {{{value}}}," for name, value in self.fields
        ]
        lines.append("}")
        return "\n".join(lines) + "\n"


def render_all(entries: Iterable[Entry]) -> str:
    """Return the entries as one .bib file."""
    return "\n".join(entry.render() for entry in entries)


def _verbatim(value: str) -> str:
    # doi, url and eprint are read verbatim by biblatex (and by the url package), so
    # they are not escaped; braces alone would unbalance the entry.
    return value.replace("{", "").replace("}", "")


def _author_names(paper) -> list[str]:
    return [a.author.name for a in paper.authorships.all()]


def paper_entry(paper) -> Entry:
    """Return the BibTeX entry of a paper (authorships and venue already loaded)."""
    names = _author_names(paper)
    venue = paper.venue
    kind_of_venue = venue.kind if venue is not None else ""
    if kind_of_venue in ("conference", "workshop"):
        kind, container = "inproceedings", "booktitle"
    elif kind_of_venue == "journal":
        kind, container = "article", "journal"
    else:
        kind, container = "misc", ""
    key = clean_key(paper.bibtex_key) or make_key(
        first_author=names[0] if names else "", year=paper.year, title=paper.title
    )
    entry = Entry(kind, key)
    entry.add("title", paper.title)
    entry.add("author", " and ".join(escape(n) for n in names), raw=True)
    if container:
        entry.add(container, venue.name)
    entry.add("year", paper.year)
    if paper.doi:
        entry.add("doi", _verbatim(paper.doi), raw=True)
    if paper.arxiv_id:
        entry.add("eprint", _verbatim(paper.arxiv_id), raw=True)
        entry.add("archivePrefix", "arXiv", raw=True)
    url = paper.url or paper.arxiv_abs_url or paper.doi_url
    entry.add("url", _verbatim(url), raw=True)
    return entry


def summary_entry(summary, *, url: str) -> Entry:
    """Return a @misc entry citing one summary; `url` is its absolute address."""
    paper = summary.paper
    names = _author_names(paper)
    cited = paper.title
    if names:
        who = names[0] if len(names) == 1 else f"{names[0]} et al."
        cited = f"{cited} ({who}{f', {paper.year}' if paper.year else ''})"
    published = summary.published_at or summary.created_at
    entry = Entry("misc", f"shortscience-summary-{summary.pk}")
    # Braces keep a writer's name (or "Anonymous") as one name BibTeX will not split.
    entry.add("author", f"{{{escape(summary.byline)}}}", raw=True)
    entry.add("title", f"Summary of {paper.title}")
    entry.add("howpublished", "shortscience")
    entry.add("year", published.year)
    entry.add("url", _verbatim(url), raw=True)
    entry.add("note", f"Summary of {cited}")
    return entry
