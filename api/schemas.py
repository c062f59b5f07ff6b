"""Request and response shapes of the JSON API; the OpenAPI schema is made from these."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from community.selectors import paper_links_shown
from feeds.links import absolute

from .auth import request_user

# PostgreSQL text cannot hold NUL characters, so they are refused at the door.
NO_NUL = r"^[^\x00]*$"


class Error(Schema):
    error: str = Field(description="What went wrong, in a sentence.")
    parameter: str | None = Field(
        default=None, description="The parameter at fault, for 400 answers."
    )


class VenueRef(Schema):
    slug: str
    short_name: str
    name: str


class LinkOut(Schema):
    kind: str = Field(description='"code", "project", "data" or "video".')
    url: str = Field(description="An http(s) address.")
    origin: str = Field(
        description='"comment" (arXiv\'s comment field), "abstract", or "writer" '
        "(added by a writer, approved by a moderator)."
    )


class PaperOut(Schema):
    id: int
    title: str
    abstract: str
    authors: list[str]
    year: int | None
    published_on: dt.date | None
    venue: VenueRef | None
    arxiv_id: str | None = Field(description="Without version, such as 1706.03762.")
    arxiv_version: int | None
    doi: str | None
    url: str = Field(description="The paper's page on the site.")
    pdf_url: str | None
    summary_count: int = Field(description="Number of public summaries.")
    arxiv_comment: str | None = Field(
        description="The authors' comment on arXiv, such as page counts or a code link."
    )
    links: list[LinkOut] = Field(
        description="Code, project, data and video links, each once."
    )

    @staticmethod
    def resolve_arxiv_comment(paper) -> str | None:
        return paper.arxiv_comment or None

    @staticmethod
    def resolve_links(paper) -> list[dict[str, str]]:
        shown = paper_links_shown(
            paper=paper, approved=getattr(paper, "approved_links", None)
        )
        return [{"kind": x.kind, "url": x.url, "origin": x.origin} for x in shown]

    @staticmethod
    def resolve_authors(paper) -> list[str]:
        return [a.author.name for a in paper.authorships.all()]

    @staticmethod
    def resolve_arxiv_id(paper) -> str | None:
        return paper.arxiv_id or None

    @staticmethod
    def resolve_doi(paper) -> str | None:
        return paper.doi or None

    @staticmethod
    def resolve_url(paper) -> str:
        return absolute(paper.get_absolute_url())

    @staticmethod
    def resolve_pdf_url(paper) -> str | None:
        return paper.arxiv_pdf_url or paper.pdf_url or None

    @staticmethod
    def resolve_summary_count(paper) -> int:
        return getattr(paper, "summary_count", 0)


class PaperPage(Schema):
    results: list[PaperOut]
    next: str | None = Field(description="The next page's address; null on the last.")


class EndorsementOut(Schema):
    author: str = Field(description="The endorsing author's public name.")
    author_username: str
    endorsed_at: dt.datetime

    @staticmethod
    def resolve_author(endorsement) -> str:
        return endorsement.author.public_name

    @staticmethod
    def resolve_author_username(endorsement) -> str:
        return endorsement.author.username

    @staticmethod
    def resolve_endorsed_at(endorsement) -> dt.datetime:
        return endorsement.created_at


class AuthorResponseOut(Schema):
    id: int
    author: str = Field(description="The responding author's public name.")
    author_username: str
    body: str = Field(description="Markdown with LaTeX math: the source.")
    body_html: str = Field(description="Rendered HTML; empty until rendering has run.")
    created_at: dt.datetime
    edited_at: dt.datetime | None

    @staticmethod
    def resolve_author(response) -> str:
        return response.writer.public_name

    @staticmethod
    def resolve_author_username(response) -> str:
        return response.writer.username


class SummaryOut(Schema):
    id: int
    url: str = Field(description="The summary's page on the site.")
    paper_id: int
    paper_title: str
    writer: str = Field(description='The writer\'s public name, or "Anonymous".')
    writer_username: str | None = Field(
        description="Null for anonymous summaries (except to their writer)."
    )
    anonymous: bool
    private: bool
    published: bool
    body: str = Field(description="Markdown with LaTeX math: the source.")
    body_html: str = Field(
        description="Rendered HTML with KaTeX math; empty until rendering has run."
    )
    score: int = Field(
        description="Sum of the votes, leaving out those of the paper's claimed authors."
    )
    published_at: dt.datetime | None
    updated_at: dt.datetime
    endorsements: list[EndorsementOut] = Field(
        description="Claimed authors of the paper who agree this summary is accurate."
    )
    author_responses: list[AuthorResponseOut] = Field(
        description="Responses of the paper's claimed authors, apart from comments."
    )

    @staticmethod
    def resolve_url(summary) -> str:
        return absolute(summary.get_absolute_url())

    @staticmethod
    def resolve_endorsements(summary) -> list:
        return list(summary.endorsements.all())

    @staticmethod
    def resolve_author_responses(summary) -> list:
        return [r for r in summary.author_responses.all() if not r.is_hidden]

    @staticmethod
    def resolve_paper_title(summary) -> str:
        return summary.paper.title

    @staticmethod
    def resolve_writer(summary) -> str:
        return summary.byline

    @staticmethod
    def resolve_writer_username(summary, context) -> str | None:
        viewer = request_user(context["request"]) if context else None
        own = viewer is not None and viewer.pk == summary.writer_id
        if summary.is_anonymous and not own:
            return None
        return summary.writer.username

    @staticmethod
    def resolve_anonymous(summary) -> bool:
        return summary.is_anonymous

    @staticmethod
    def resolve_private(summary) -> bool:
        return summary.is_private

    @staticmethod
    def resolve_published(summary) -> bool:
        return summary.status == summary.Status.PUBLISHED


class SummaryPage(Schema):
    results: list[SummaryOut]
    next: str | None = Field(description="The next page's address; null on the last.")


class VenueOut(Schema):
    slug: str
    short_name: str
    name: str
    kind: str
    website: str | None
    url: str = Field(description="The venue's page on the site.")
    paper_count: int

    @staticmethod
    def resolve_website(venue) -> str | None:
        return venue.url or None

    @staticmethod
    def resolve_url(venue) -> str:
        return absolute(venue.get_absolute_url())

    @staticmethod
    def resolve_paper_count(venue) -> int:
        return getattr(venue, "paper_count", 0)


class VenueYear(Schema):
    year: int
    paper_count: int
    summarised_count: int = Field(description="Papers with a public summary.")


class VenuePage(Schema):
    results: list[VenueOut]
    next: str | None = Field(description="The next page's address; null on the last.")


class VenueDetail(VenueOut):
    years: list[VenueYear]


class SummaryIn(Schema):
    paper_id: int = Field(description="The site's id of the paper.")
    body: str = Field(
        min_length=1,
        max_length=100_000,
        pattern=NO_NUL,
        description="Markdown + LaTeX.",
    )
    anonymous: bool = False
    private: bool = False
    publish: bool = Field(default=True, description="False keeps it as a draft.")


class SummaryPatch(Schema):
    body: str | None = Field(
        default=None, min_length=1, max_length=100_000, pattern=NO_NUL
    )
    anonymous: bool | None = None
    private: bool | None = None
    publish: bool | None = Field(
        default=None,
        description="True publishes a draft; a published summary stays published.",
    )


class ListItemOut(Schema):
    position: int = Field(description="Place on the list, from 1.")
    note: str = Field(description="The list keepers' note on this paper.")
    added_at: dt.datetime
    paper: PaperOut


class ReadingListRef(Schema):
    id: int
    title: str
    url: str = Field(description="The list's page on the site.")
    paper_count: int

    @staticmethod
    def resolve_url(reading_list) -> str:
        return absolute(reading_list.get_absolute_url())


class ReadingListOut(Schema):
    id: int
    title: str
    description: str
    visibility: str = Field(description="public, unlisted or private.")
    owner: str = Field(description="The owner's user name.")
    editors: list[str] = Field(description="User names of the list's other editors.")
    url: str = Field(description="The list's page on the site.")
    feed_url: str | None = Field(description="Its Atom feed; null unless public.")
    updated_at: dt.datetime
    items: list[ListItemOut]


class ClaimOut(Schema):
    id: int
    paper_id: int
    user: str = Field(description="The claimant's public name.")
    username: str
    orcid: str = Field(description="The ORCID iD the claimant verified by signing in.")
    status: str = Field(description="pending, approved, rejected or withdrawn.")
    method: str | None = Field(
        description="How it was approved: orcid (the record lists the paper) or "
        "moderator; null while pending."
    )
    listed_as: str | None = Field(
        description="The name in the paper's author list that matches the claimant."
    )
    reason: str | None = Field(description="A moderator's reason for a rejection.")
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_user(claim) -> str:
        return claim.user.public_name

    @staticmethod
    def resolve_username(claim) -> str:
        return claim.user.username

    @staticmethod
    def resolve_method(claim) -> str | None:
        return claim.method or None

    @staticmethod
    def resolve_listed_as(claim) -> str | None:
        return claim.author.name if claim.author else None

    @staticmethod
    def resolve_reason(claim) -> str | None:
        return claim.reason or None


class ClaimList(Schema):
    results: list[ClaimOut]


class ClaimIn(Schema):
    note: str = Field(
        default="",
        max_length=1000,
        pattern=NO_NUL,
        description="For the moderators, when the claim needs their check.",
    )


class EndorsementIn(Schema):
    endorse: bool = Field(description="True endorses the summary; false withdraws.")


class AuthorResponseIn(Schema):
    body: str = Field(
        min_length=1, max_length=10_000, pattern=NO_NUL, description="Markdown + LaTeX."
    )
