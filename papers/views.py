from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from shortscience.cache import cache_depends, piece_render, pieces_get
from shortscience.pagination import page_asked, paginate
from shortscience.queue import enqueue

from . import selectors, services
from .forms import AddPaperForm, OpenReviewImportForm, VenueImportForm
from .models import Keyword, Paper, PaperImport, Venue

PER_PAGE = 50
# How long a cached venue page may show year-tab counts from before a summary of the venue
# was published or taken away.
COUNTS_LAG_SECONDS = 60


def _shows_papers(papers) -> None:
    """Record, for the page cache, the papers a list page shows, their venues, their
    counts of summaries and the summaries whose excerpts it shows."""
    for paper in papers:
        cache_depends("paper", paper.pk)
        cache_depends("paper-summaries", paper.pk)
        cache_depends("venue", paper.venue_id)
        cache_depends(
            "summary-excerpt", *(s.pk for s in getattr(paper, "top_summaries", ()))
        )


def _paper_rows(
    request,
    name: str,
    papers: Callable[[], QuerySet],
    membership: tuple[str, object],
    *,
    show_venue: bool = False,
    decision: str = "",
    empty_404: str = "",
):
    """Return one page of a list of papers (its rows and page links) as HTML.

    The page is kept whole, per list and page number, under the versions of everything
    it showed (shortscience.cache pieces): the list's members (`membership`, such as
    ("venue-year", "3:2017")), each paper, its summaries and excerpt. A reader who finds
    it kept costs two cache reads and no query; only a page not kept calls `papers()`
    for the list's queryset and loads its page.
    `empty_404`: answer 404 with this message when the page lists no paper.
    """
    number = page_asked(request)  # as paginate reads it
    key = None
    # Pages past the anonymous limit go through paginate, which decides who sees them.
    if number <= settings.ANONYMOUS_MAX_PAGE:
        key = f"rows:{name}:{decision}:{show_venue:d}:{number}"
        kept = pieces_get({key: key}).get(key)
        if kept is not None:
            # Rendered by the site's own template, escaped as it rendered.
            return mark_safe(kept["html"])  # noqa: S308  # nosec B308 B703

    def piece() -> dict:
        cache_depends(*membership)
        page = paginate(request, papers(), PER_PAGE)
        if empty_404 and not page.object_list:
            raise Http404(empty_404)
        _shows_papers(page.object_list)
        selectors.attach_listed_authors(page.object_list)
        context = {"page": page, "show_venue": show_venue, "decision": decision}
        return {"html": render_to_string("includes/_paper_list.html", context)}

    # Rendered by the site's own template, escaped as it rendered.
    return mark_safe(piece_render(key, piece)["html"])  # noqa: S308  # nosec B308 B703


def venue_list(request):
    """Every venue with its totals and, per year, how many of its papers are summarised."""
    cache_depends("list", "venues")
    venues = list(selectors.venue_list())
    coverage = selectors.venue_coverage(venues=venues)
    for venue in venues:
        cache_depends("venue-papers", venue.pk)
        venue.coverage = coverage[venue.pk]
    return render(request, "papers/venue_list.html", {"venues": venues})


def venue_detail(request, slug: str, year: int | None = None):
    """Show a venue with one tab per year; the chosen year (default: newest) lists all papers.

    Its list follows the venue-year's papers ("venue-year") and each paper's summaries at
    once; the coverage counts of the year tabs ("venue-papers", moved by any summary of
    the venue) may lag by COUNTS_LAG_SECONDS for readers served from the cache.
    """
    venue = get_object_or_404(Venue, slug=slug)
    cache_depends("venue", venue.pk)
    cache_depends("venue-papers", venue.pk)
    years = selectors.venue_years(venue=venue, year=year)
    if year is None:
        if not years:
            return render(
                request,
                "papers/venue_detail.html",
                {"venue": venue, "years": [], "year": None},
            )
        year = years[0]["year"]
    current = next((y for y in years if y["year"] == year), None)
    if current is None:
        raise Http404("This venue has no papers for that year.")
    filters = Q(venue=venue, year=year)
    decision = request.GET.get("decision", "")
    if decision not in Paper.Decision.values:
        decision = ""
    if decision:
        filters &= Q(decision=decision)
    # In normalised-title order, which the (venue, year, title_key) index holds.
    rows = _paper_rows(
        request,
        f"venue-year:{venue.pk}:{year}",
        lambda: selectors.paper_list(filters=filters, excerpts=True).order_by(
            "title_key", "pk"
        ),
        ("venue-year", f"{venue.pk}:{year}"),  # which papers it lists
        decision=decision,
    )
    return render(
        request,
        "papers/venue_detail.html",
        {
            "venue": venue,
            "years": years,
            "year": year,
            "current": current,
            "rows": rows,
            "decision": decision,
            "decisions": selectors.venue_year_decisions(current),
        },
    )


def year_detail(request, year: int):
    rows = _paper_rows(
        request,
        f"year:{year}",
        lambda: selectors.paper_list(filters=Q(year=year), excerpts=True),
        ("year-papers", year),
        show_venue=True,
        empty_404="No papers for that year.",
    )
    return render(request, "papers/year_detail.html", {"year": year, "rows": rows})


def year_list(request):
    cache_depends("list", "years")
    return render(request, "papers/year_list.html", {"years": selectors.year_list()})


def keyword_detail(request, slug: str):
    keyword = get_object_or_404(Keyword, slug=slug)
    rows = _paper_rows(
        request,
        f"keyword:{keyword.pk}",
        lambda: selectors.paper_list(filters=Q(keywords=keyword), excerpts=True),
        ("keyword-papers", keyword.pk),
        show_venue=True,
    )
    return render(
        request, "papers/keyword_detail.html", {"keyword": keyword, "rows": rows}
    )


@login_required
def paper_add(request):
    """One box for any identifier or a title: known papers open, unknown ones import."""
    raw = request.POST.get("q") if request.method == "POST" else request.GET.get("q")
    if raw is None:
        return render(request, "papers/paper_add.html", {"form": AddPaperForm()})
    form = AddPaperForm({"q": raw})
    if not form.is_valid():
        return render(request, "papers/paper_add.html", {"form": form}, status=400)
    identifier = form.cleaned_data["q"]
    if identifier.kind == "title":
        search_id = services.title_search_start(
            title=identifier.value, user=request.user
        )
        return redirect("papers:title-search", search_id=search_id)
    paper = selectors.paper_find(identifier)
    if paper is not None:
        return redirect(paper)
    if request.method != "POST":
        # Importing changes state: ask for a POST (the confirmation page sends one).
        return render(
            request, "papers/paper_add.html", {"form": form, "confirm": identifier}
        )
    paper_import = services.import_create(identifier=identifier, user=request.user)
    return redirect(paper_import)


@login_required
def title_search(request, search_id: str):
    """Papers matching a title: the site's at once, arXiv's and BibSonomy's when they answer.

    htmx polls the results box until the outside search has finished.
    """
    search = selectors.title_search_get(search_id=search_id)
    if search is None:
        raise Http404("This search has expired; search again.")
    context = {"search_id": search_id, **search}
    if request.htmx:
        return render(request, "papers/_title_search_results.html", context)
    context["form"] = AddPaperForm(initial={"q": search["query"]})
    return render(request, "papers/paper_search.html", context)


@login_required
def import_detail(request, pk: int):
    """The import's status; htmx polls the status box until the import ends."""
    paper_import = get_object_or_404(PaperImport.objects.select_related("paper"), pk=pk)
    if request.htmx:
        return render(request, "papers/_import_status.html", {"import": paper_import})
    if paper_import.status == PaperImport.Status.DONE and paper_import.paper_id:
        return redirect("paper-detail", pk=paper_import.paper_id)
    return render(request, "papers/import_detail.html", {"import": paper_import})


@login_required
@require_POST
def import_retry(request, pk: int):
    paper_import = get_object_or_404(PaperImport, pk=pk)
    services.import_retry(paper_import=paper_import)
    return redirect(paper_import)


def _staff(user) -> bool:
    return user.is_active and user.is_staff


def _venue_import_page(request, *, form=None, openreview_form=None, status=200):
    return render(
        request,
        "papers/venue_import.html",
        {
            "form": form or VenueImportForm(),
            "openreview_form": openreview_form or OpenReviewImportForm(),
            "synced": settings.DBLP_SYNC_VENUES,
            "openreview_synced": settings.OPENREVIEW_SYNC_VENUES,
            "runs": selectors.venue_sync_list(limit=30),
        },
        status=status,
    )


@user_passes_test(_staff)
def venue_import(request):
    """Staff: queue an import of a venue-year from dblp (as `manage.py import_venue`)."""
    from .tasks import import_venue

    form = VenueImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, year = form.cleaned_data["key"], form.cleaned_data["year"]
        enqueue(import_venue, key, year, form.cleaned_data["toc"])
        messages.success(
            request,
            f"The import of {key} {year} is queued; the venue's page fills as it runs.",
        )
        return redirect("papers:venue-import")
    return _venue_import_page(request, form=form, status=400 if form.errors else 200)


@user_passes_test(_staff)
@require_POST
def venue_import_openreview(request):
    """Staff: queue an import of a venue-year from OpenReview (`manage.py import_openreview`)."""
    from .tasks import import_openreview

    form = OpenReviewImportForm(request.POST)
    if not form.is_valid():
        return _venue_import_page(request, openreview_form=form, status=400)
    venue, year = form.cleaned_data["venue"], form.cleaned_data["year"]
    include_rejected = form.cleaned_data["include_rejected"]
    enqueue(
        import_openreview, venue.pk, year, include_rejected, form.cleaned_data["api"]
    )
    messages.success(
        request,
        f"The import of {venue.short_name} {year} from OpenReview "
        f"({venue.openreview_id_for(year)}) is queued"
        + (
            "; rejected and withdrawn papers will be kept too."
            if include_rejected
            else "."
        ),
    )
    return redirect("papers:venue-import")
