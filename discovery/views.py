from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from papers.models import Paper, Venue
from shortscience.cache import cache_depends

from . import selectors, services
from .forms import SearchForm, WantedForm
from .models import Follow
from .query import InvalidCursor, InvalidQuery


def _next_page_url(request, cursor: str | None) -> str:
    if not cursor:
        return ""
    params = request.GET.copy()
    params["cursor"] = cursor
    return f"?{params.urlencode()}"


def _first_page_url(request) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return f"?{params.urlencode()}"


def _redirect_back(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def search(request):
    """Search papers and summaries; an identifier opens its paper or offers to add it."""
    venues = list(Venue.objects.order_by("short_name"))
    form = SearchForm(request.GET, venues=venues)
    context = {"form": form, "result": None, "message": ""}
    if not request.GET.get("q", "").strip():
        return render(request, "discovery/search.html", context)
    if not form.is_valid():
        return render(request, "discovery/search.html", context, status=400)
    data = form.cleaned_data
    arguments = {
        "venue": data["venue"],
        "year_from": data["year_from"],
        "year_to": data["year_to"],
        "has_summaries": data["has_summaries"],
    }
    try:
        try:
            result = selectors.search(
                data["q"], cursor=data["cursor"] or None, **arguments
            )
        except InvalidCursor as exc:
            context["message"] = exc.message
            result = selectors.search(data["q"], **arguments)
    except InvalidQuery as exc:
        context["message"] = exc.message
        return render(request, "discovery/search.html", context, status=400)
    if result.mode == "paper":
        return redirect(result.paper)
    for hit in result.hits:  # a cached search page goes stale when a listed row changes
        cache_depends("paper", hit.paper.pk)
        cache_depends("paper-summaries", hit.paper.pk)  # its count of summaries
        cache_depends("venue", hit.paper.venue_id)
        if hit.summary_id:
            cache_depends("summary", hit.summary_id)
    context.update(
        result=result,
        next_url=_next_page_url(request, result.next_cursor),
        first_url=_first_page_url(request) if data["cursor"] else "",
    )
    return render(request, "discovery/search.html", context)


def wanted(request):
    """List the most requested papers that nobody has summarised yet."""
    venues = list(Venue.objects.order_by("short_name"))
    form = WantedForm(request.GET, venues=venues)
    context = {"form": form, "page": None, "message": ""}
    if not form.is_valid():
        return render(request, "discovery/wanted.html", context, status=400)
    data = form.cleaned_data
    filters = {"venue": data["venue"], "year": data["year"]}
    try:
        page = selectors.wanted_list(cursor=data["cursor"] or None, **filters)
    except InvalidQuery as exc:
        context["message"] = exc.message
        page = selectors.wanted_list(**filters)
    context.update(
        page=page,
        next_url=_next_page_url(request, page.next_cursor),
        first_url=_first_page_url(request) if data["cursor"] else "",
    )
    return render(request, "discovery/wanted.html", context)


@login_required
def following(request):
    """Show new summaries from the venues, keywords and writers the reader follows."""
    follows = selectors.follow_list(user=request.user)
    # The follow buttons on this page read this instead of querying again.
    request._discovery_followed = selectors.followed_keys(follows)
    cursor = request.GET.get("cursor") or None
    message = ""
    try:
        page = selectors.following_feed(follows=follows, cursor=cursor)
    except InvalidQuery as exc:
        message = exc.message
        page = selectors.following_feed(follows=follows)
    return render(
        request,
        "discovery/following.html",
        {
            "follows": follows,
            "page": page,
            "message": message,
            "next_url": _next_page_url(request, page.next_cursor),
            "first_url": _first_page_url(request) if cursor else "",
        },
    )


@login_required
@require_POST
def follow(request):
    """Follow or unfollow (action=unfollow) a venue, keyword or writer, then go back."""
    kind = request.POST.get("kind", "")
    if kind not in services.FOLLOWABLE or not request.POST.get("target", "").isdigit():
        return HttpResponseBadRequest("Say what to follow: kind and target.")
    _, model = services.FOLLOWABLE[kind]
    target = get_object_or_404(model, pk=int(request.POST["target"]))
    following_now = request.POST.get("action") != "unfollow"
    try:
        services.follow_set(user=request.user, target=target, follow=following_now)
    except ValueError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        name = target.public_name if kind == Follow.Kind.WRITER else str(target)
        messages.success(
            request,
            f"You follow {name}." if following_now else f"You no longer follow {name}.",
        )
    return _redirect_back(request, target.get_absolute_url())


@login_required
@require_POST
def summary_request(request, pk: int):
    """Ask for a summary of a paper (action=withdraw takes the request back)."""
    paper = get_object_or_404(Paper, pk=pk)
    wanted = request.POST.get("action") != "withdraw"
    services.summary_request_set(user=request.user, paper=paper, wanted=wanted)
    messages.success(
        request,
        "Thanks: you will get an e-mail when the first summary is up."
        if wanted
        else "Your request is withdrawn.",
    )
    return _redirect_back(request, paper.get_absolute_url())
