"""Reading lists to and from reference managers: BibTeX, RIS and CSL-JSON.

Pure functions. Reading turns a file into the site's PaperData (one per entry, with the
entry's note), which the import pipeline merges into the catalogue; writing turns papers
(authorships, venue and keywords loaded) into a file that reads back to the same fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import bibtexparser
from bibtexparser.bparser import BibTexParser

from feeds.bibtex import Entry, escape, paper_entry, render_all
from papers.models import Paper, Venue
from papers.services import PaperData, data_from_bibsonomy
from papers.sources.bibsonomy import (
    find_arxiv_id,
    find_doi,
    latex_to_text,
    parse_bibtex,
)
from papers.sources.http import MalformedResponse

FORMATS = {
    "bibtex": ("bib", "application/x-bibtex; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
    "csl-json": ("json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
}
# As many keywords as a BibSonomy import keeps, so every format reads back the same set.
MAX_KEYWORDS = 5
_TAG = re.compile(r"<[^>]+>")


# How a preprint's venue is written: DBLP's name for arXiv, which reads back to the
# site's arXiv venue ("arXiv preprint ..." reads as no venue at all).
ARXIV_VENUE_NAME = "CoRR"


def _on_arxiv_venue(paper: Paper) -> bool:
    return paper.venue is not None and paper.venue.kind == Venue.Kind.PREPRINT


def _venue_name(paper: Paper) -> str:
    if paper.venue is None:
        return ""
    return ARXIV_VENUE_NAME if _on_arxiv_venue(paper) else paper.venue.name


class UnreadableFile(ValueError):
    """The file is in none of the formats, or broken beyond reading."""


@dataclass(frozen=True)
class Record:
    """One entry of a file: the paper as the file describes it, and its note."""

    data: PaperData
    note: str = ""


def _title(text: str) -> str:
    """Return a title as the BibTeX reader keeps it: one line, no closing period."""
    title = " ".join(text.split())
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title


def _plain(note: str) -> str:
    """Return a note as plain text (Zotero writes its notes as HTML)."""
    return " ".join(_TAG.sub(" ", note).split())


def _keywords(words: Iterable[str]) -> tuple[str, ...]:
    # A keyword is one topic: commas separate keywords in BibTeX and CSL-JSON, so a
    # MeSH heading's comma ("Colitis, Ulcerative") is left out.
    kept = [" ".join(w.replace(",", " ").split()) for w in words if w.strip()]
    return tuple(dict.fromkeys(kept))[:MAX_KEYWORDS]


def detect(text: str) -> str:
    """Return the format of an exported library: "csl-json", "ris" or "bibtex"."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith(("[", "{")):
        return "csl-json"
    if re.match(r"TY  - ", head):
        return "ris"
    if "@" in head:
        return "bibtex"
    raise UnreadableFile("this is not a BibTeX, RIS or CSL-JSON file")


def read(text: str) -> list[Record]:
    """Return the entries of a BibTeX, RIS or CSL-JSON file, in the file's order."""
    kind = detect(text)
    records = {"bibtex": read_bibtex, "ris": read_ris, "csl-json": read_csl_json}[kind](
        text
    )
    # A record without a title cannot be matched or shown.
    return [r for r in records if r.data.title]


# BibTeX --------------------------------------------------------------------------------


def read_bibtex(text: str) -> list[Record]:
    try:
        entries = parse_bibtex(text)
    except MalformedResponse as exc:
        raise UnreadableFile(exc.message) from exc
    # Notes (Zotero's and JabRef's "annote") are not part of the catalogue's record.
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    raw = bibtexparser.loads(text, parser=parser).entries
    records = []
    for entry, fields in zip(entries, raw, strict=False):
        data = data_from_bibsonomy(entry)
        if not entry.interhash:  # exported by Zotero, DBLP or this site, not BibSonomy
            data = replace(data, source=Paper.Source.MANUAL)
        pdf = fields.get("file", "") or fields.get("pdf", "")
        data = replace(
            data,
            pdf_url=pdf if pdf.startswith(("http://", "https://")) else "",
            journal_ref=latex_to_text(fields.get("journal_ref", "")),
        )
        records.append(Record(data, _plain(latex_to_text(fields.get("annote", "")))))
    return records


def bibtex_entry(paper: Paper, note: str = "") -> Entry:
    """Return a paper's entry with every field the site keeps about it."""
    entry = paper_entry(paper)
    # The paper's own address only: one made from its DOI or arXiv id would come back
    # as an address the paper never had.
    entry.fields = [(name, value) for name, value in entry.fields if name != "url"]
    entry.add("url", paper.url.replace("{", "").replace("}", ""), raw=True)
    if _on_arxiv_venue(paper):
        entry.add("journal", ARXIV_VENUE_NAME)
    # Written as is, as BibSonomy does: readers take an abstract's TeX literally.
    entry.add("abstract", _balanced(paper.abstract), raw=True)
    entry.add("keywords", ", ".join(k.name for k in paper.keywords.all()))
    if paper.pdf_url and not paper.arxiv_id:
        entry.add("pdf", paper.pdf_url.replace("{", "").replace("}", ""), raw=True)
    entry.add("journal_ref", paper.journal_ref)
    entry.add("annote", note)
    return entry


def _balanced(text: str) -> str:
    """Return `text` whitespace-collapsed, without braces unless they pair up."""
    text = " ".join(text.split())
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    return text if depth == 0 else text.replace("{", "").replace("}", "")


def write_bibtex(items: Sequence[tuple[Paper, str]]) -> str:
    return render_all(bibtex_entry(paper, note) for paper, note in items)


# RIS -----------------------------------------------------------------------------------

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_RIS_JOURNAL_TYPES = {"JOUR", "JFULL", "MGZN", "NEWS", "EJOUR"}
_RIS_VENUE_TAGS = ("T2", "JO", "JF", "BT", "T3", "J2", "JA")


def _ris_year(value: str) -> int | None:
    match = re.match(r"\s*(\d{4})", value)
    return int(match.group(1)) if match else None


def _ris_name(name: str) -> str:
    """Turn RIS's "Last, First" into "First Last"."""
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if comma else name.strip()


def read_ris(text: str) -> list[Record]:
    records = []
    fields: dict[str, list[str]] = {}
    for line in text.lstrip("\ufeff").splitlines():
        match = _RIS_LINE.match(line.rstrip())
        if match is None:
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            fields = {"TY": [value]}
        elif tag == "ER":
            if fields:
                records.append(_ris_record(fields))
            fields = {}
        elif value and value.lower() != "nan":
            fields.setdefault(tag, []).append(value)
    if not records:
        raise UnreadableFile("no RIS record found")
    return records


def _ris_record(fields: dict[str, list[str]]) -> Record:
    def first(*tags: str) -> str:
        return next((fields[t][0] for t in tags if fields.get(t)), "")

    kind = first("TY")
    url = first("UR")
    links = [*fields.get("UR", []), *fields.get("L2", []), *fields.get("L1", [])]
    pdf = next(
        (p for p in fields.get("L1", []) if p.startswith(("http://", "https://"))), ""
    )
    venue = first(*_RIS_VENUE_TAGS)
    arxiv_id = find_arxiv_id(
        texts=(*fields.get("AN", []), *links, first("DO"), *fields.get("M1", []))
    )
    if venue.lower().startswith("arxiv"):
        venue = ""
    data = PaperData(
        title=_title(first("TI", "T1", "CT")),
        source=Paper.Source.MANUAL,
        authors=tuple(
            (_ris_name(n), "") for n in fields.get("AU", fields.get("A1", []))
        ),
        abstract=" ".join(first("AB", "N2").split()),
        year=_ris_year(first("PY", "Y1", "DA")),
        venue=venue,
        venue_kind=Venue.Kind.JOURNAL
        if kind in _RIS_JOURNAL_TYPES
        else Venue.Kind.CONFERENCE,
        arxiv_id=arxiv_id or "",
        doi=(find_doi(first("DO"), url) or "").lower(),
        bibtex_key=first("ID"),
        url=url if url.startswith(("http://", "https://")) else "",
        pdf_url=pdf,
        journal_ref=first("U1"),
        keywords=_keywords(fields.get("KW", [])),
    )
    note = " ".join(_plain(n) for n in fields.get("N1", []))
    return Record(data, note)


def ris_lines(paper: Paper, note: str = "") -> list[str]:
    """Return a paper's RIS record, one "TAG  - value" line each."""
    venue = paper.venue
    kind = {"journal": "JOUR", "conference": "CPAPER", "workshop": "CPAPER"}.get(
        venue.kind if venue else "", "GEN"
    )
    lines = [("TY", kind), ("TI", paper.title)]
    lines += [("AU", a.author.name) for a in paper.authorships.all()]
    lines.append(("T2", _venue_name(paper)))
    lines += [
        ("PY", str(paper.year or "")),
        ("DO", paper.doi),
        ("AN", f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else ""),
        ("UR", paper.url),
        ("L1", paper.pdf_url if not paper.arxiv_id else ""),
        ("AB", " ".join(paper.abstract.split())),
        ("ID", paper.bibtex_key),
        ("U1", paper.journal_ref),
    ]
    lines += [("KW", k.name) for k in paper.keywords.all()]
    lines.append(("N1", " ".join(note.split())))
    return [f"{tag}  - {value}" for tag, value in lines if value] + ["ER  - "]


def write_ris(items: Sequence[tuple[Paper, str]]) -> str:
    return "".join(
        "\r\n".join(ris_lines(paper, note)) + "\r\n\r\n" for paper, note in items
    )


# CSL-JSON ------------------------------------------------------------------------------

_CSL_JOURNAL_TYPES = {"article-journal", "article-magazine", "article-newspaper"}


def _csl_name(author: dict) -> str:
    if author.get("literal"):
        return str(author["literal"]).strip()
    parts = [author.get("given", ""), author.get("non-dropping-particle", "")]
    parts += [author.get("family", ""), author.get("suffix", "")]
    return " ".join(str(p).strip() for p in parts if p and str(p).strip())


def _csl_year(item: dict) -> int | None:
    for key in ("issued", "original-date"):
        parts = (item.get(key) or {}).get("date-parts") or [[]]
        if parts and parts[0]:
            try:
                return int(parts[0][0])
            except (TypeError, ValueError):
                continue
        raw = (item.get(key) or {}).get("raw") or ""
        year = _ris_year(str(raw))
        if year:
            return year
    return None


def read_csl_json(text: str) -> list[Record]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not JSON: {exc}") from exc
    if isinstance(items, dict):
        items = items.get("items", [items])
    if not isinstance(items, list):
        raise UnreadableFile("a CSL-JSON file holds a list of items")
    return [_csl_record(item) for item in items if isinstance(item, dict)]


def _csl_record(item: dict) -> Record:
    def text(key: str) -> str:
        value = item.get(key) or ""
        return " ".join(str(value).split())

    url = text("URL")
    venue = text("container-title")
    arxiv_id = find_arxiv_id(
        eprint=text("arxiv") or None,
        texts=(text("number"), url, text("DOI"), text("note")),
    )
    if venue.lower().startswith("arxiv"):
        venue = ""
    keywords = re.split(r"[,;]", text("keyword")) if text("keyword") else []
    data = PaperData(
        title=_title(text("title")),
        source=Paper.Source.MANUAL,
        authors=tuple((_csl_name(a), "") for a in item.get("author") or []),
        abstract=text("abstract"),
        year=_csl_year(item),
        venue=venue,
        venue_kind=Venue.Kind.JOURNAL
        if item.get("type") in _CSL_JOURNAL_TYPES
        else Venue.Kind.CONFERENCE,
        arxiv_id=arxiv_id or "",
        doi=(find_doi(text("DOI"), url) or "").lower(),
        bibtex_key=text("citation-key"),
        url=url if url.startswith(("http://", "https://")) else "",
        pdf_url=text("pdf") if text("pdf").startswith(("http://", "https://")) else "",
        journal_ref=text("journal-ref"),
        keywords=_keywords(keywords),
    )
    return Record(data, _plain(text("annote")))


def csl_item(paper: Paper, note: str = "") -> dict:
    """Return a paper as a CSL-JSON item (what Zotero and pandoc read)."""
    venue = paper.venue
    kind = {"journal": "article-journal", "conference": "paper-conference"}.get(
        venue.kind if venue else "", "article"
    )
    item: dict = {
        "id": f"paper-{paper.pk}",
        "type": kind,
        "title": paper.title,
        "author": [_csl_author(a.author.name) for a in paper.authorships.all()],
    }
    if paper.year:
        item["issued"] = {"date-parts": [[paper.year]]}
    optional = {
        "container-title": _venue_name(paper),
        "DOI": paper.doi,
        "number": f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else "",
        "URL": paper.url,
        "pdf": paper.pdf_url if not paper.arxiv_id else "",
        "abstract": paper.abstract,
        "citation-key": paper.bibtex_key,
        "journal-ref": paper.journal_ref,
        "keyword": ", ".join(k.name for k in paper.keywords.all()),
        "annote": note,
    }
    item.update({k: v for k, v in optional.items() if v})
    return item


def _csl_author(name: str) -> dict:
    # The site keeps display names whole; CSL's literal keeps them exactly.
    return {"literal": name}


def write_csl_json(items: Sequence[tuple[Paper, str]]) -> str:
    return json.dumps(
        [csl_item(paper, note) for paper, note in items], ensure_ascii=False, indent=2
    )


def write(kind: str, items: Sequence[tuple[Paper, str]]) -> str:
    """Return the papers (each with its note) as a file in format `kind`."""
    writers = {"bibtex": write_bibtex, "ris": write_ris, "csl-json": write_csl_json}
    return writers[kind](items)


__all__ = ["FORMATS", "Record", "UnreadableFile", "detect", "escape", "read", "write"]
