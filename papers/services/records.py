"""Paper records from any source (arXiv, BibSonomy, Crossref) in the site's own terms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..models import Paper, Venue
from ..sources.arxiv import ArxivRecord
from ..sources.bibsonomy import BibEntry, BibsonomyPost
from ..sources.crossref import CrossrefWork
from ..sources.dblp import DblpRecord
from ..sources.oaipmh import OaiRecord
from ..sources.openreview import FORUM_URL, OpenReviewRecord
from ..venue_seed import ARXIV_SLUG


@dataclass(frozen=True)
class PaperData:
    """A paper's metadata as one source describes it, in the site's own terms."""

    title: str
    source: str
    authors: tuple[tuple[str, str], ...] = ()  # (name, affiliation) in order
    abstract: str = ""
    year: int | None = None
    published_on: date | None = None
    venue: str = ""  # a raw venue string or DBLP key, resolved through the alias table
    venue_kind: str = Venue.Kind.CONFERENCE
    # A venue known already (its primary key): wins over `venue`.
    venue_pk: int | None = None
    arxiv_id: str = ""
    arxiv_version: int | None = None
    doi: str = ""
    interhash: str = ""
    bibtex_key: str = ""
    dblp_key: str = ""
    openreview_id: str = ""
    decision: str = ""  # Paper.Decision, from OpenReview
    links: tuple[str, ...] = ()  # electronic-edition links, merged into Paper.links
    url: str = ""
    pdf_url: str = ""
    journal_ref: str = ""
    arxiv_comment: str = ""
    keywords: tuple[str, ...] = ()

    @property
    def is_preprint(self) -> bool:
        return self.source == Paper.Source.ARXIV


def data_from_arxiv(record: ArxivRecord) -> PaperData:
    return PaperData(
        title=record.title,
        source=Paper.Source.ARXIV,
        authors=tuple(
            (a.name, "; ".join(a.affiliations)[:300]) for a in record.authors
        ),
        abstract=record.abstract,
        year=record.published.year,
        published_on=record.published.date(),
        venue=ARXIV_SLUG,
        venue_kind=Venue.Kind.PREPRINT,
        arxiv_id=record.arxiv_id,
        arxiv_version=record.version,
        doi=(record.doi or "").lower(),
        url=f"https://arxiv.org/abs/{record.arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{record.arxiv_id}",
        journal_ref=record.journal_ref or "",
        arxiv_comment=record.comment or "",
        keywords=tuple(record.categories[:4]),
    )


def _bibsonomy_keywords(tags: Iterable[str]) -> tuple[str, ...]:
    # BibSonomy tags are personal ("myown", "toread"); keep the few that read as topics.
    noise = {"myown", "toread", "imported", "dblp", "nopdf", "sota", "paper", "papers"}
    kept = [
        t for t in tags if len(t) > 2 and t.lower() not in noise and not t.isdigit()
    ]
    return tuple(kept[:5])


def data_from_bibsonomy(post: BibsonomyPost | BibEntry) -> PaperData:
    venue = post.venue or ""
    key = post.bibtex_key or ""
    # A DBLP-style key ("conf/nips/VaswaniSPUJGKP17") names the venue more reliably.
    if key.startswith(("conf/", "journals/")):
        venue = "/".join(key.split("/")[:2])
    is_journal = (getattr(post, "entrytype", "") or "").lower() == "article"
    return PaperData(
        title=post.title,
        source=Paper.Source.BIBSONOMY,
        authors=tuple((name, "") for name in post.authors),
        abstract=post.abstract or "",
        year=post.year,
        venue=venue,
        venue_kind=Venue.Kind.JOURNAL if is_journal else Venue.Kind.CONFERENCE,
        arxiv_id=post.arxiv_id or "",
        doi=(post.doi or "").lower(),
        interhash=post.interhash or "",
        bibtex_key=key,
        url=post.url or "",
        keywords=_bibsonomy_keywords(post.tags),
    )


def data_from_crossref(work: CrossrefWork) -> PaperData:
    kind = (
        Venue.Kind.JOURNAL if work.type == "journal-article" else Venue.Kind.CONFERENCE
    )
    return PaperData(
        title=work.title,
        source=Paper.Source.CROSSREF,
        authors=tuple((name, "") for name in work.authors),
        abstract=work.abstract or "",
        year=work.year,
        venue=work.venue or "",
        venue_kind=kind,
        doi=work.doi.lower(),
        url=work.url or "",
    )


_FORUM_PREFIX = FORUM_URL.format("")


def openreview_id_from_links(links: Iterable[str]) -> str:
    """The OpenReview forum id one of a paper's links names ("" if none)."""
    for link in links:
        if link.startswith(_FORUM_PREFIX):
            forum_id = link[len(_FORUM_PREFIX) :].split("&", 1)[0]
            if forum_id:
                return forum_id[:100]
    return ""


def data_from_openreview(
    record: OpenReviewRecord, *, venue: Venue, year: int
) -> PaperData:
    """An OpenReview submission to `venue` in `year`.

    Only an accepted paper is placed in the venue; a rejected or withdrawn one (stored
    only when staff ask for it) keeps whatever venue it has, with its decision.
    """
    return PaperData(
        title=record.title,
        source=Paper.Source.OPENREVIEW,
        authors=tuple((name, "") for name in record.authors),
        abstract=record.abstract,
        year=year,
        published_on=record.published.date() if record.published else None,
        venue=venue.slug if record.accepted else "",
        venue_pk=venue.pk if record.accepted else None,
        venue_kind=venue.kind,
        openreview_id=record.forum_id[:100],
        decision=record.decision,
        links=(record.forum_url,),
    )


def data_from_dblp(record: DblpRecord) -> PaperData:
    """A dblp table-of-contents record; its key's venue part names the venue."""
    kind = (
        Venue.Kind.JOURNAL if record.entrytype == "article" else Venue.Kind.CONFERENCE
    )
    return PaperData(
        title=record.title,
        source=Paper.Source.DBLP,
        authors=tuple((name, "") for name in record.authors),
        year=record.year,
        venue=record.venue_key,
        venue_kind=kind,
        arxiv_id=record.arxiv_id or "",
        doi=(record.doi or "").lower(),
        dblp_key=record.key,
        # dblp links ICLR's and other OpenReview venues' papers to their forums.
        openreview_id=openreview_id_from_links(record.links),
        links=record.links,
        url=record.links[0] if record.links else "",
    )


def data_from_oai(record: OaiRecord) -> PaperData:
    """An arXiv OAI-PMH record; the version is left to the API, which names it."""
    published = record.created
    return PaperData(
        title=record.title,
        source=Paper.Source.ARXIV,
        authors=tuple((name, "") for name in record.authors),
        abstract=record.abstract,
        year=published.year if published else None,
        published_on=published,
        venue=ARXIV_SLUG,
        venue_kind=Venue.Kind.PREPRINT,
        arxiv_id=record.arxiv_id,
        doi=(record.doi or "").lower(),
        url=f"https://arxiv.org/abs/{record.arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{record.arxiv_id}",
        journal_ref=record.journal_ref or "",
        arxiv_comment=record.comment or "",
        keywords=tuple(record.categories[:4]),
    )
