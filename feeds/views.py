"""Exports (BibTeX, Markdown zip, data dump), old ShortScience links and digest pages."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from papers import selectors as paper_selectors
from papers.models import Paper, Venue
from summaries.models import Summary
from users.models import User

from . import bibtex, legacy, selectors, services
from .links import absolute, namespace


def _bibtex_response(text: str, filename: str) -> HttpResponse:
    # Plain text so that a browser shows the entry to copy instead of downloading it.
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def paper_bibtex(request, pk: int):
    try:
        paper = paper_selectors.paper_get(pk=pk)
    except Paper.DoesNotExist as exc:
        raise Http404("No such paper.") from exc
    return _bibtex_response(bibtex.paper_entry(paper).render(), f"paper-{pk}.bib")


@require_GET
def venue_year_bibtex(request, slug: str, year: int):
    venue = get_object_or_404(Venue, slug=slug)
    papers = selectors.paper_list_for_venue_year(venue=venue, year=year)
    entries = [bibtex.paper_entry(paper) for paper in papers]
    if not entries:
        raise Http404("This venue has no papers for that year.")
    return _bibtex_response(bibtex.render_all(entries), f"{venue.slug}-{year}.bib")


@require_GET
def summary_bibtex(request, pk: int):
    summary = get_object_or_404(
        Summary.objects.public().select_related("writer", "paper"), pk=pk
    )
    entry = bibtex.summary_entry(summary, url=absolute(summary.get_absolute_url()))
    return _bibtex_response(entry.render(), f"summary-{pk}.bib")


@require_GET
def writer_summaries_zip(request, username: str):
    writer = get_object_or_404(User, username=username, is_active=True)
    data = services.writer_summaries_zip(writer=writer, requester=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{writer.username}-summaries.zip"'
    )
    return response


@require_GET
def dump_latest(request):
    name = services.dump_latest()
    if name is None:
        raise Http404("No data dump has been written yet.")
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=name.rsplit("/", 1)[-1],
        content_type="application/gzip",
    )


@require_GET
def feed_namespace(request):
    return render(request, "feeds/namespace.html", {"namespace": namespace()})


# Old ShortScience addresses ------------------------------------------------------------


def _add_paper(key: str):
    """Send an unknown key to "Add a paper" with the key filled in (302: it may exist later)."""
    return redirect(f"{reverse('papers:paper-add')}?{urlencode({'q': key})}")


@require_GET
def legacy_paper(request):
    key = request.GET.get("bibtexKey", "").strip()
    if not key:
        raise Http404("No bibtexKey given.")
    paper = legacy.paper_for_key(key)
    if paper is None:
        return _add_paper(key)
    return HttpResponsePermanentRedirect(paper.get_absolute_url())


@require_GET
def legacy_venue(request):
    key = request.GET.get("key", "").strip()
    if not key:
        raise Http404("No venue key given.")
    venue = legacy.venue_for_key(key)
    if venue is None:
        return _add_paper(key)
    year = request.GET.get("year", "").strip()
    if year.isdigit() and venue.papers.filter(year=int(year)).exists():
        target = reverse("papers:venue-year", kwargs={"slug": venue.slug, "year": year})
    else:
        target = venue.get_absolute_url()
    return HttpResponsePermanentRedirect(target)


@require_GET
def legacy_user(request):
    user = legacy.user_for_name(request.GET.get("name", ""))
    if user is None:
        raise Http404("No such user.")
    return HttpResponsePermanentRedirect(user.get_absolute_url())


@require_GET
def legacy_rss(request):
    return HttpResponsePermanentRedirect(reverse("feeds:latest-rss"))


# Weekly digest ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def digest_settings(request):
    if request.method == "POST":
        subscribed = request.POST.get("subscribed") == "1"
        services.digest_subscription_set(user=request.user, subscribed=subscribed)
        messages.success(
            request,
            "You will get the weekly digest."
            if subscribed
            else "You will not get the weekly digest.",
        )
        return redirect("feeds:digest-settings")
    subscribed = services.digest_is_subscribed(user=request.user)
    return render(request, "feeds/digest_settings.html", {"subscribed": subscribed})


# The signed token is the credential, and RFC 8058 one-click unsubscribes are POSTs
# from mail clients that hold no CSRF cookie.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token: str):
    """Unsubscribe the token's user from the digest, without signing in.

    GET only asks for confirmation: mail scanners open links, and opening one must not
    unsubscribe anybody. The button, and mail clients' one-click unsubscribe, POST.
    """
    subscriber = services.digest_user_from_token(token)
    if subscriber is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method != "POST":
        return render(
            request,
            "feeds/digest_unsubscribe_confirm.html",
            {
                "subscriber": subscriber,
                "subscribed": services.digest_is_subscribed(user=subscriber),
            },
        )
    services.digest_subscription_set(user=subscriber, subscribed=False)
    return render(request, "feeds/digest_unsubscribed.html", {"subscriber": subscriber})
