"""Pages that bring several apps together (home, paper, summary, user profile) and ops views."""

from functools import partial

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import truncatewords
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from authors import selectors as author_selectors
from comments.models import Comment
from comments.selectors import thread_order
from community import selectors as community_selectors
from discovery import selectors as discovery_selectors
from feeds.templatetags.sharing import summary_image
from lists import selectors as list_selectors
from papers import selectors as paper_selectors
from papers.models import Paper
from shortscience import markup
from shortscience.cache import (
    at_the_door,
    cache_depends,
    piece_render,
    pieces_get,
    versions_read_ahead,
)
from shortscience.holes import Hole, Holes, fill
from shortscience.pagination import page_asked, paginate
from shortscience.templatetags.fragments import CSRF_PLACEHOLDER
from summaries import selectors as summary_selectors
from summaries.models import Summary
from users.models import User, byline_deferred


def _with_comments(qs):
    """Add the writer and comments a full summary shows, and count its endorsements and
    author responses (loaded by summary_selectors.attach_authors_voice)."""
    return summary_selectors.with_authors_voice_counts(
        qs.select_related("writer")
        .defer(*byline_deferred("writer"))
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=Comment.objects.select_related("writer")
                .defer(*byline_deferred("writer"))
                .order_by("created_at", "pk"),
            )
        )
    )


def _shows_summaries(summaries, *, full: bool = False, score: bool = True) -> None:
    """Record, for the page cache, the summaries a page shows, with their papers and people.

    `full`: the page shows them whole, with their author responses ("summary-voice").
    `score`: it shows their scores (a paper page's summary card does not: its vote form
    is put in for each request).
    """
    for summary in summaries:
        cache_depends("summary", summary.pk)
        if score:
            cache_depends("score", summary.pk)  # its score and the order it sets
        if full:
            cache_depends("summary-voice", summary.pk)
        cache_depends("paper", summary.paper_id)
        cache_depends("user", summary.writer_id)
        if hasattr(summary, "threaded_comments"):
            cache_depends("thread", summary.pk)  # comments added, removed or hidden
        for comment in getattr(summary, "threaded_comments", ()):
            cache_depends("comment", comment.pk)
            cache_depends("user", comment.writer_id)
        # Endorsements and author responses move the summary's version; a response's
        # render moves its own.
        prefetched = getattr(summary, "_prefetched_objects_cache", {})
        for response in prefetched.get("author_responses", ()):
            cache_depends("authorresponse", response.pk)
            cache_depends("user", response.writer_id)


def _fresh_for_writer(request, summary: Summary) -> None:
    """Show writers their latest text at once, before the render task has stored it."""
    if (
        summary.writer_id == request.user.pk
        and summary.rendered_by != markup.RENDERER_VERSION
    ):
        summary.body_html = markup.render(summary.body)


HOME_TABS = {"popular": "Popular", "recent": "Most recent", "top": "Highest rated"}
HOME_LIST_SIZE = 10
# The home page's order follows votes, which do not invalidate it: it may lag this long.
HOME_LAG_SECONDS = 60
# How long a cached paper page may show scores (and their order) from before a vote.
PAPER_SCORE_LAG_SECONDS = 60
# A paper's page shows this many summaries at a time, best first (?page=2 for more), so
# that a page of a much-summarised paper renders a bounded number of cards.
SUMMARIES_PER_PAGE = 10


def home(request):
    """Show one tab of summaries (popular this week, newest, best rated) and trending papers."""
    tab = request.GET.get("tab", "popular")
    if tab not in HOME_TABS:
        tab = "popular"
    activity = discovery_selectors.home_activity()
    quiet_week = False
    if tab == "popular":
        summaries = discovery_selectors.summary_list_popular(
            activity=activity, limit=HOME_LIST_SIZE
        )
        # No votes this week yet: the newest summaries are the next best thing.
        quiet_week = not summaries
    if tab == "recent" or quiet_week:
        summaries = list(summary_selectors.summary_list_latest()[:HOME_LIST_SIZE])
    elif tab == "top":
        summaries = discovery_selectors.summary_list_best(limit=HOME_LIST_SIZE)
    trending = discovery_selectors.paper_list_trending(
        activity=activity, limit=HOME_LIST_SIZE
    )
    cache_depends("list", "summaries")
    _shows_summaries(summaries)
    cache_depends("paper", *(paper.pk for paper in trending))
    return render(
        request,
        "home.html",
        {
            "tabs": HOME_TABS,
            "tab": tab,
            "summaries": summaries,
            "quiet_week": quiet_week,
            "trending": trending,
            "counts": discovery_selectors.home_counts(),
        },
    )


# Stands for a reader's vote form in a kept summary card. Postgres text cannot hold a NUL
# character, so no summary, comment or name can contain it.
CARD_VOTE = "\x00vote\x00"
# The texts of a summary its card does not show: all but the rendered text.
CARD_DEFERRED = tuple(f for f in summary_selectors.SUMMARY_TEXT if f != "body_html")


def _card_variant(summary, user, *, own_threads: set[int], viewer_is_author: bool):
    """Which shared rendering of a summary card fits this reader (None: their own).

    Signed-out readers share one, and so do signed-in readers with no words of their own
    in it; writers, commenters, the paper's authors and moderators see controls of their
    own, rendered for them and not kept.
    """
    if not user.is_authenticated:
        return "signed-out"
    if (
        viewer_is_author
        or getattr(user, "may_moderate", False)
        or summary.writer_id == user.pk
        or summary.pk in own_threads
    ):
        return None
    return "reader"


def _vote_form(summary, user, holes: Holes, *, viewer_is_author: bool) -> str:
    """A summary's vote form with its current score; for a signed-in reader other than
    its writer, a hole with one rendering per vote they may have cast."""

    def form(my_vote: int) -> str:
        summary.my_vote = my_vote
        summary.viewer_is_author = viewer_is_author
        context = {"summary": summary, "user": user, "csrf_token": CSRF_PLACEHOLDER}
        return render_to_string("includes/_vote.html", context)

    if not user.is_authenticated or summary.writer_id == user.pk:
        return form(0)  # the score alone
    return holes.add("vote", summary.pk, {vote: form(vote) for vote in (-1, 0, 1)})


def _summary_cards(request, paper, claims, reader: "_Reader", holes: Holes):
    """Return a page of the paper's public summaries, best first: the page, its cards,
    the first one's image, and whether a card is this reader's own.

    Each card (the summary with its author responses and comment thread) is kept whole,
    per variant, under the versions of everything it shows (shortscience.cache pieces).
    Only the summaries whose cards are not kept are loaded in full; the others cost a
    row without their text. The vote form, the one personal part of a shared card, is
    a hole (shortscience.holes) with the summary's current score.
    """
    user = request.user
    viewer_is_author = reader.is_author(claims)
    every = list(
        Summary.objects.public()
        .filter(paper=paper)
        .select_related("writer")
        .defer(*summary_selectors.SUMMARY_TEXT, *byline_deferred("writer"))
        .order_by("-score", "published_at", "pk")
    )
    page = paginate(request, every, SUMMARIES_PER_PAGE)
    shown = list(page.object_list)
    own_threads = reader.own_threads([s.pk for s in shown])
    variants = {
        s.pk: _card_variant(
            s, user, own_threads=own_threads, viewer_is_author=viewer_is_author
        )
        for s in shown
    }
    keys = {pk: f"card:summary:{pk}:{v}" for pk, v in variants.items() if v}
    cards = pieces_get(keys)
    missing = [s.pk for s in shown if s.pk not in cards]
    loaded: list[Summary] = []
    if missing:
        # A card shows the rendered text: the Markdown source (read only while the
        # text is being typeset) and the other derived texts stay in the table.
        full = {
            s.pk: s
            for s in _with_comments(
                Summary.objects.filter(pk__in=missing).defer(*CARD_DEFERRED)
            )
        }
        loaded = list(full.values())
        for summary in loaded:
            summary.threaded_comments = thread_order(summary.comments.all())
            _fresh_for_writer(request, summary)
        summary_selectors.attach_authors_voice(loaded)
        summary_selectors.attach_author_marks(
            loaded, known={paper.pk: {claim.user_id for claim in claims}}
        )
        shown = [full.get(s.pk, s) for s in shown]
    if viewer_is_author:
        # Before the cards render: an author's own card shows their endorsement and
        # response.
        summary_selectors.attach_my_votes(shown, user, authored={paper.pk})
    if loaded:
        # Each card about to render reads the versions of what it shows: declare them
        # all first and read them in one round trip.
        _shows_summaries(loaded, full=True, score=False)
        versions_read_ahead()
    for summary in loaded:

        def piece(summary=summary):
            _shows_summaries([summary], full=True, score=False)
            context = {
                "summary": summary,
                "paper": paper,
                "user": user,
                "csrf_token": CSRF_PLACEHOLDER,
                "vote_marker": CARD_VOTE,
            }
            return {
                "html": render_to_string("includes/_summary_full.html", context),
                "image": summary_image(summary),
            }

        cards[summary.pk] = piece_render(keys.get(summary.pk), piece)
    html = [
        cards[summary.pk]["html"].replace(
            CARD_VOTE,
            _vote_form(summary, user, holes, viewer_is_author=viewer_is_author),
            1,
        )
        for summary in shown
    ]
    image = cards[shown[0].pk].get("image", "") if shown else ""
    # The cards' own versions were declared by pieces_get or piece_render.
    for summary in shown:
        cache_depends("summary", summary.pk)
        cache_depends("user", summary.writer_id)  # the follow buttons
    # The order (which summaries a page holds) and the vote forms.
    cache_depends("score", *(summary.pk for summary in every))
    own = viewer_is_author or None in variants.values()
    # The cards were rendered by the site's own templates, escaped as they render.
    return page, mark_safe("".join(html)), image, own  # noqa: S308  # nosec B308 B703


class _Reader:
    """What a paper's page shows of the request's own reader, each read at most once,
    with one small query, and only when the page has a part that needs it."""

    def __init__(self, request) -> None:
        self.request = request
        self.user = request.user
        self.signed_in = self.user.is_authenticated
        self._threads: dict[tuple[int, ...], set[int]] = {}

    def is_author(self, claims) -> bool:
        return self.signed_in and any(c.user_id == self.user.pk for c in claims)

    def own_threads(self, summary_ids: list[int]) -> set[int]:
        """The summaries among these that the reader commented on."""
        if not self.signed_in or not summary_ids:
            return set()
        ids = tuple(summary_ids)
        if ids not in self._threads:
            self._threads[ids] = set(
                Comment.objects.filter(summary__in=ids, writer=self.user).values_list(
                    "summary_id", flat=True
                )
            )
        return self._threads[ids]

    def needs_own_page(self, page: dict) -> bool:
        """Whether a page kept for every signed-in reader misses something of this
        reader's (their own summary or comment, claimed authorship, moderation)."""
        user = self.user
        return self.signed_in and bool(
            user.pk in page["claimants"]
            or user.pk in page["writers"]
            or user.may_moderate
            or self.own_threads(page["summaries"])
        )

    def picker(self, holes: list[Hole]):
        """Return pick(hole) -> this reader's rendering of a hole (shortscience.holes)."""
        user = self.user
        found: dict[int, int] | None = None

        def votes() -> dict[int, int]:
            nonlocal found
            if found is None:
                ids = [hole["id"] for hole in holes if hole["kind"] == "vote"]
                found = summary_selectors.my_votes(user, ids)
            return found

        def pick(hole: Hole) -> str:
            kind, states = hole["kind"], hole["states"]
            if kind == "vote":
                return states[votes().get(hole["id"], 0)]
            if kind == "follow":
                return states[
                    tuple(hole["id"]) in discovery_selectors.followed_by(self.request)
                ]
            if kind == "request":
                return states[
                    bool(
                        discovery_selectors.request_asked(
                            paper_id=hole["id"], user=user
                        )
                    )
                ]
            if kind == "write":
                mine = summary_selectors.summary_for(
                    paper=hole["id"], writer=user, text=False
                )
                if mine is None:
                    return states["write"]
                return render_to_string(
                    "includes/_write_cta.html", {"my_summary": mine}
                )
            raise ValueError(f"no such hole on a paper's page: {kind}")

        return pick


def _paper_page(request, pk: int, reader: _Reader, number: int) -> dict:
    """Render a paper's page for keeping: its title, head lines and body, the body with
    holes where it shows something of the reader's own (shortscience.holes)."""
    cache_depends("paper", pk)
    cache_depends("paper-summaries", pk)  # which summaries it lists
    try:
        paper = paper_selectors.paper_get(pk=pk)
    except Paper.DoesNotExist as exc:
        raise Http404("No such paper.") from exc
    claims = list(
        author_selectors.claim_list_for_paper(paper=paper).defer(
            *byline_deferred("user")
        )
    )
    holes = Holes()
    summary_page, cards, image, own = _summary_cards(
        request, paper, claims, reader, holes
    )
    write_cta: str = render_to_string(
        "includes/_write_cta.html", {"paper_id": paper.pk}
    )
    if reader.signed_in:
        write_cta = holes.add("write", paper.pk, {"write": write_cta})
    citing = list(summary_selectors.summary_list_citing(paper=paper)[:20])
    cache_depends("venue", paper.venue_id)
    cache_depends("paper-authors", paper.pk)
    cache_depends("user", *(claim.user_id for claim in claims))
    _shows_summaries(citing)
    context = {
        "paper": paper,
        "summary_page": summary_page,
        "cards": cards,
        "summary_image": image,
        "write_cta": mark_safe(write_cta),  # noqa: S308  # nosec B308 B703
        "citing": citing,
        "claims": claims,
        "claimed_authors": {c.author_id for c in claims if c.author_id},
        "viewer_is_author": reader.is_author(claims),
        # Called by the paper-head fragment only when it renders (not on a hit).
        "code_links": partial(community_selectors.paper_links_shown, paper=paper),
        # Forms hold a placeholder the response puts its own token in for.
        "csrf_token": CSRF_PLACEHOLDER,
        "holes": holes,
        # Where forms send their reader back: not any one request's query string.
        "next_path": paper.get_absolute_url()
        + (f"?page={number}" if number > 1 else ""),
    }
    body = render_to_string("includes/_paper_body.html", context, request=request)
    return {
        "title": paper.title,
        "description": truncatewords(paper.abstract, 40),
        "head": render_to_string("includes/_paper_head.html", context, request=request),
        "parts": Holes.split(body),
        "holes": holes.items,
        "summaries": [s.pk for s in summary_page.object_list],
        "writers": [s.writer_id for s in summary_page.object_list],
        "claimants": [claim.user_id for claim in claims],
        "personal": own,
    }


def paper_detail(request, pk: int):
    """A paper with a page of its summaries.

    The page is kept whole per variant (signed out, or any signed-in reader) and page
    of summaries, under the versions of everything it shows; a signed-in reader's own
    parts (vote and follow states, a request, the link to their summary) are holes
    filled for each request. A reader with a card or claim of their own on the page
    gets a page rendered for them alone.
    """
    reader = _Reader(request)
    number = page_asked(request)  # as paginate reads it
    key = None
    # Pages past the anonymous limit go through paginate, which decides who sees them.
    if number <= settings.ANONYMOUS_MAX_PAGE:
        variant = "reader" if reader.signed_in else "signed-out"
        key = f"paper-page:{pk}:{variant}:{number}"
        kept = pieces_get({key: key}).get(key)
        if kept is not None and not reader.needs_own_page(kept):
            return _paper_response(request, kept, reader)
    page = piece_render(key, partial(_paper_page, request, pk, reader, number))
    return _paper_response(request, page, reader)


def _paper_response(request, page: dict, reader: _Reader):
    body = fill(page["parts"], page["holes"], reader.picker(page["holes"]))
    # All rendered by the site's own templates, escaped as they rendered.
    context = {
        "page": page,
        "head": mark_safe(page["head"]),  # noqa: S308  # nosec B308 B703
        "body": mark_safe(body),  # noqa: S308  # nosec B308 B703
    }
    return render(request, "paper_detail.html", context)


def summary_detail(request, pk: int):
    cache_depends("summary", pk)
    summary = get_object_or_404(
        _with_comments(
            Summary.objects.visible_to(request.user).select_related(
                "paper", "paper__venue"
            )
        ),
        pk=pk,
    )
    summary.threaded_comments = thread_order(summary.comments.all())
    _fresh_for_writer(request, summary)
    summary_selectors.attach_authors_voice([summary])
    summary_selectors.attach_my_votes([summary], request.user)
    summary_selectors.attach_author_marks([summary])
    cache_depends("venue", summary.paper.venue_id)
    _shows_summaries([summary], full=True)
    return render(
        request, "summary_detail.html", {"summary": summary, "paper": summary.paper}
    )


def summary_shared(request, token: str):
    """Show a private summary to whoever holds its share link."""
    summary = get_object_or_404(
        _with_comments(
            Summary.objects.shared(token).select_related("paper", "paper__venue")
        )
    )
    summary.threaded_comments = thread_order(summary.comments.all())
    summary_selectors.attach_authors_voice([summary])
    summary_selectors.attach_author_marks([summary])
    return render(
        request, "summary_detail.html", {"summary": summary, "paper": summary.paper}
    )


def user_detail(request, username: str):
    writer = get_object_or_404(User, username=username, is_active=True)
    cache_depends("user", writer.pk)
    cache_depends("reputation", writer.pk)
    own = request.user.pk == writer.pk
    page = paginate(
        request,
        summary_selectors.summary_list_for_writer(writer=writer, include_anonymous=own),
    )
    _shows_summaries(page.object_list)
    claimed_papers = [
        claim.paper
        for claim in author_selectors.claim_list_for_user(
            user=writer, approved_only=True
        )
    ]
    cache_depends("paper", *(paper.pk for paper in claimed_papers))
    return render(
        request,
        "users/user_detail.html",
        {
            "writer": writer,
            "page": page,
            "reading_lists": list_selectors.list_public_for_owner(owner=writer),
            "claimed_papers": claimed_papers,
        },
    )


def healthz(request):
    """Answer 200 when the database answers; used by load balancers and compose."""
    from django.db import connection
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@at_the_door
def ping(request):
    """Answer "pong" without the database or templates, before the middleware chain:
    a liveness probe, and the ceiling for load tests."""
    return HttpResponse("pong", content_type="text/plain")


def media(request, path: str):
    """Serve an uploaded image from the local media folder with a safe content type."""
    from django.conf import settings
    from django.views.static import serve

    if not path.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")):
        raise Http404("No such image.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def csrf_failure(request, reason: str = ""):
    """Say clearly why a form was refused, instead of Django's bare 403."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


@csrf_exempt
@require_POST
def csp_report(request):
    """Log Content Security Policy violations that browsers report."""
    import logging

    logging.getLogger("shortscience.csp").warning(
        "CSP violation: %s", request.body[:2000].decode("utf-8", "replace")
    )
    return HttpResponse(status=204)


def robots_txt(request):
    """Ask crawlers to pace themselves and skip what only people need; name the sitemap.

    The rate limits in shortscience/throttle.py hold for crawlers that do not listen.
    """
    from django.conf import settings
    from django.urls import reverse

    return render(
        request,
        "pages/robots.txt",
        {
            "crawl_delay": settings.ROBOTS_CRAWL_DELAY,
            "sitemap": settings.SITE_URL.rstrip("/") + reverse("feeds:sitemap"),
        },
        content_type="text/plain; charset=utf-8",
    )


SECURITY_TXT_VALID_DAYS = 365


def security_txt(request):
    """Name where security problems are reported (RFC 9116)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    expires = timezone.now().replace(microsecond=0) + timedelta(
        days=SECURITY_TXT_VALID_DAYS
    )
    return render(
        request,
        "pages/security.txt",
        {
            "contact": settings.CONTACT_EMAIL,
            "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "canonical": request.build_absolute_uri(),
        },
        content_type="text/plain; charset=utf-8",
    )


def favicon(request):
    """Answer browsers that ask for /favicon.ico with the site's SVG icon."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("img/favicon.svg"), permanent=True)


def server_error(request):
    """Answer an unexpected error: 503 with Retry-After when the database is away.

    Errors raised by middleware never reach DatabaseUnavailableMiddleware's view hook, so
    an outage met while loading a session or a user is recognised here.
    """
    import sys

    from django.views.defaults import server_error as default_server_error

    from shortscience.middleware import database_unavailable_response

    return database_unavailable_response(sys.exc_info()[1]) or default_server_error(
        request
    )
