"""Markdown twins of the reading pages, and /llms.txt, for tools and agents.

Every paper, summary, venue-year, reading list and profile page has a `.md` address that
answers the same content as plain Markdown. Summaries are given as their writers' source, so
formulas stay TeX (`$...$`, `$$...$$`). The HTML pages point here with
`<link rel="alternate" type="text/markdown">`. Visibility is the HTML page's: private
summaries and lists stay private.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from authors import selectors as author_selectors
from community import selectors as community_selectors
from feeds.links import absolute
from lists import selectors as list_selectors
from lists.models import ReadingList
from papers import selectors as paper_selectors
from papers.models import Paper, Venue
from shortscience.cache import cache_depends
from summaries import selectors as summary_selectors
from summaries.models import Summary
from users.models import User

CONTENT_TYPE = "text/markdown; charset=utf-8"


def _response(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type=CONTENT_TYPE)
    response["X-Robots-Tag"] = "noindex"  # the HTML page is the one to index
    return response


def _line(text: str) -> str:
    """Return text on one line, so it cannot open a heading or list of its own."""
    return " ".join(str(text).split())


def _authors(paper: Paper) -> str:
    return ", ".join(a.author.name for a in paper.authorships.all())


def paper_block(paper: Paper) -> list[str]:
    """Return a paper's heading facts as Markdown lines."""
    lines = [f"# {_line(paper.title)}", ""]
    claims = list(author_selectors.claim_list_for_paper(paper=paper))
    cache_depends("paper", paper.pk)
    cache_depends("paper-authors", paper.pk)
    cache_depends("user", *(claim.user_id for claim in claims))
    facts = [("Authors", _authors(paper))]
    if claims:
        facts.append(
            (
                "Claimed by (verified authors on the site)",
                ", ".join(
                    f"{claim.user.public_name} ({absolute(claim.user.get_absolute_url())})"
                    for claim in claims
                ),
            )
        )
    if paper.venue is not None:
        facts.append(("Venue", f"{paper.venue.name} {paper.year or ''}".strip()))
    elif paper.year:
        facts.append(("Year", str(paper.year)))
    facts += [
        ("arXiv", paper.arxiv_id),
        ("DOI", paper.doi),
        ("Page", absolute(paper.get_absolute_url())),
    ]
    facts.append(("arXiv comment", paper.arxiv_comment))
    lines += [f"- {name}: {_line(value)}" for name, value in facts if value]
    if paper.abstract:
        lines += ["", "## Abstract", "", paper.abstract.strip()]
    return lines


def links_block(paper: Paper) -> list[str]:
    """Return a paper's code and project links as a Markdown section (none: no lines)."""
    shown = community_selectors.paper_links_shown(paper=paper)
    if not shown:
        return []
    return [
        "",
        "## Code and project links",
        "",
        *(f"- {link.label}: {link.url}" for link in shown),
    ]


def summary_block(summary: Summary, *, level: int = 2) -> list[str]:
    """Return a summary as Markdown, with its endorsements and author responses.

    `summary` comes with its endorsements and responses prefetched
    (summary_selectors.with_authors_voice).
    """
    cache_depends("summary", summary.pk)
    cache_depends("score", summary.pk)
    cache_depends("summary-voice", summary.pk)
    cache_depends("user", summary.writer_id)
    when = summary.published_at or summary.created_at
    head = "#" * level
    lines = [
        f"{head} Summary by {_line(summary.byline)}",
        "",
        f"- Published: {when.date().isoformat()}",
        f"- Score: {summary.score}",
        f"- Page: {absolute(summary.get_absolute_url())}",
    ]
    lines += [
        f"- Endorsed by {_line(e.author.public_name)}, an author of the paper, on "
        f"{e.created_at.date().isoformat()}: the authors agree this summary is accurate."
        for e in summary.endorsements.all()
    ]
    lines += ["", summary.body.strip()]
    for response in summary.author_responses.all():
        if response.is_hidden:
            continue
        cache_depends("authorresponse", response.pk)
        lines += [
            "",
            f"{head}# Author response by {_line(response.writer.public_name)}",
            "",
            response.body.strip(),
        ]
    return lines


def paper_markdown(request, pk: int):
    cache_depends("paper", pk)
    cache_depends("paper-summaries", pk)
    try:
        paper = paper_selectors.paper_get(pk=pk)
    except Paper.DoesNotExist as exc:
        raise Http404("No such paper.") from exc
    summaries = summary_selectors.with_authors_voice(
        Summary.objects.public()
        .filter(paper=paper)
        .select_related("writer")
        .order_by("-score", "published_at", "pk")
    )
    lines = paper_block(paper) + links_block(paper)
    for summary in summaries:
        cache_depends("summary", summary.pk)
        cache_depends("score", summary.pk)
        cache_depends("user", summary.writer_id)
        lines += ["", *summary_block(summary)]
    return _response("\n".join(lines) + "\n")


def summary_markdown(request, pk: int):
    summary = get_object_or_404(
        summary_selectors.with_authors_voice(
            Summary.objects.visible_to(request.user).select_related("writer", "paper")
        ),
        pk=pk,
    )
    paper = paper_selectors.paper_get(pk=summary.paper_id)
    lines = [*summary_block(summary, level=1), "", "---", "", *paper_block(paper)]
    lines[0] = f"# Summary of {_line(paper.title)} by {_line(summary.byline)}"
    return _response("\n".join(lines) + "\n")


def venue_year_markdown(request, slug: str, year: int):
    venue = get_object_or_404(Venue, slug=slug)
    cache_depends("venue", venue.pk)
    cache_depends("venue-papers", venue.pk)
    papers = paper_selectors.paper_list(filters=Q(venue=venue, year=year))
    if not papers.exists():
        raise Http404("This venue has no papers for that year.")
    lines = [f"# {_line(venue.name)} {year}", ""]
    for paper in papers:
        cache_depends("paper", paper.pk)
        cache_depends("paper-summaries", paper.pk)
        count = getattr(paper, "public_summary_count", 0)
        lines.append(
            f"- [{_line(paper.title)}]({absolute(reverse('paper-markdown', args=[paper.pk]))})"
            f" — {_line(_authors(paper))}"
            + (f" ({count} summar{'y' if count == 1 else 'ies'})" if count else "")
        )
    return _response("\n".join(lines) + "\n")


def user_markdown(request, username: str):
    writer = get_object_or_404(User, username=username, is_active=True)
    cache_depends("user", writer.pk)
    cache_depends("reputation", writer.pk)
    summaries = summary_selectors.summary_list_for_writer(
        writer=writer, include_anonymous=request.user.pk == writer.pk
    )
    lines = [f"# {_line(writer.public_name)}", ""]
    if writer.affiliation:
        lines.append(f"- Affiliation: {_line(writer.affiliation)}")
    if writer.orcid:
        lines.append(f"- ORCID: {writer.orcid}")
    lines.append(f"- Reputation: {writer.reputation}")
    if writer.bio:
        lines += ["", writer.bio.strip()]
    lines += ["", "## Summaries", ""]
    lines += [
        f"- [{_line(s.paper.title)}]({absolute(reverse('summary-markdown', args=[s.pk]))})"
        for s in summaries
    ]
    claimed = list(
        author_selectors.claim_list_for_user(user=writer, approved_only=True)
    )
    if claimed:
        lines += ["", "## Author of (claimed, verified)", ""]
        lines += [
            f"- [{_line(c.paper.title)}]({absolute(reverse('paper-markdown', args=[c.paper_id]))})"
            for c in claimed
        ]
    public_lists = list_selectors.list_public_for_owner(owner=writer)
    if public_lists:
        lines += ["", "## Reading lists", ""]
        lines += [
            f"- [{_line(rl.title)}]({absolute(reverse('list-markdown', args=[rl.pk]))})"
            for rl in public_lists
        ]
    return _response("\n".join(lines) + "\n")


def list_markdown(request, pk: int):
    reading_list = get_object_or_404(ReadingList.objects.select_related("owner"), pk=pk)
    if not list_selectors.list_can_view(
        reading_list=reading_list, user=request.user, key=request.GET.get("key", "")
    ):
        raise Http404("No such list.")
    lines = [
        f"# {_line(reading_list.title)}",
        "",
        f"A reading list by {_line(reading_list.owner.public_name)}.",
    ]
    if reading_list.description:
        lines += ["", reading_list.description.strip()]
    lines.append("")
    for number, item in enumerate(
        list_selectors.list_items(reading_list=reading_list), start=1
    ):
        paper = item.paper
        lines.append(
            f"{number}. [{_line(paper.title)}]({absolute(reverse('paper-markdown', args=[paper.pk]))})"
            f" — {_line(_authors(paper))}{f' ({paper.year})' if paper.year else ''}"
        )
        if item.note:
            lines.append(f"   Note: {_line(item.note)}")
    return _response("\n".join(lines) + "\n")


def llms_txt(request):
    """Describe the site and its machine-readable addresses (llmstxt.org's format)."""
    site = settings.SITE_NAME
    text = f"""# {site}

> {site} publishes short summaries of machine learning papers written and signed by
> people: each summary has a named (or deliberately anonymous) writer, a revision history,
> votes and comments. No summary here is machine-generated.

Every reading page has a Markdown twin: add `.md` to its address (formulas stay TeX).

## Markdown pages

- [A paper with its summaries]({absolute("/papers/1.md")}): `/papers/<id>.md`
- [One summary]({absolute("/summaries/1.md")}): `/summaries/<id>.md`
- Papers of a venue's year: `/venues/<slug>/<year>.md`
- A writer's profile: `/users/<username>.md`
- A public reading list: `/lists/<id>.md`

## API

- [JSON API]({absolute(reverse("api:index"))}): papers, summaries, venues, search, reading
  lists, authorship claims (`/api/v1/papers/<id>/claims`); read without a key; writing takes
  a personal token (Authorization: Bearer ...), made at `{reverse("api:tokens")}`.

Papers' authors can claim them (checked against their ORCID record or by a moderator);
a summary's endorsements by the paper's authors and their author responses appear in its
Markdown twin and in the API. Votes by a paper's own authors do not count in scores.
- [OpenAPI schema]({absolute(reverse("api:openapi"))})
- [API documentation]({absolute(reverse("api:docs"))})

## Feeds and exports

- [Latest summaries, Atom]({absolute(reverse("feeds:latest-atom"))}); every paper, venue,
  keyword, writer and public reading list has its own feed.
- BibTeX: `/papers/<id>/bibtex`; reading lists as BibTeX, RIS or CSL-JSON.
- [Nightly dump of every public summary (JSON Lines, CC BY 4.0)]({absolute(reverse("feeds:dump-latest"))})

## Optional

- [Sitemap]({absolute("/sitemap.xml")})
"""
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
