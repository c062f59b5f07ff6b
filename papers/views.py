from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from shortscience.pagination import paginate

from . import selectors
from .models import Keyword, Venue

PER_PAGE = 50


def venue_list(request):
    return render(request, "papers/venue_list.html", {"venues": selectors.venue_list()})


def venue_detail(request, slug: str, year: int | None = None):
    """Show a venue with one tab per year; the chosen year (default: newest) lists all papers."""
    venue = get_object_or_404(Venue, slug=slug)
    years = selectors.venue_years(venue=venue)
    if year is None:
        if not years:
            return render(
                request, "papers/venue_detail.html", {"venue": venue, "years": [], "year": None}
            )
        year = years[0]["year"]
    current = next((y for y in years if y["year"] == year), None)
    if current is None:
        raise Http404("This venue has no papers for that year.")
    page = paginate(
        request, selectors.paper_list(filters=Q(venue=venue, year=year)), PER_PAGE
    )
    return render(
        request,
        "papers/venue_detail.html",
        {"venue": venue, "years": years, "year": year, "current": current, "page": page},
    )


def year_detail(request, year: int):
    papers = selectors.paper_list(filters=Q(year=year))
    page = paginate(request, papers, PER_PAGE)
    if not page.object_list:
        raise Http404("No papers for that year.")
    return render(request, "papers/year_detail.html", {"year": year, "page": page})


def year_list(request):
    return render(request, "papers/year_list.html", {"years": selectors.year_list()})


def keyword_detail(request, slug: str):
    keyword = get_object_or_404(Keyword, slug=slug)
    page = paginate(request, selectors.paper_list(filters=Q(keywords=keyword)), PER_PAGE)
    return render(request, "papers/keyword_detail.html", {"keyword": keyword, "page": page})
