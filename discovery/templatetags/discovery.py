"""Template pieces other apps' pages include: follow buttons, the request box, wanted."""

from django import template
from django.core.cache import cache
from django.template import Context
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from discovery import selectors
from discovery.models import Follow
from shortscience.cache import cache_depends
from shortscience.holes import holes_of

register = template.Library()


def _next(context) -> str:
    """Where a form sends its reader back: the page's own address (a page kept for every
    reader names it as `next_path`, without anybody's query string)."""
    if context.get("next_path"):
        return context["next_path"]
    request = context.get("request")
    return request.get_full_path() if request else ""


@register.simple_tag(takes_context=True)
def follow_button(context, kind: str, target, label: str = ""):
    """Render a follow/unfollow button for a venue, keyword or writer.

    On a page kept for every signed-in reader (shortscience.holes) both states are
    rendered and the request picks its reader's.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    values = {
        "kind": kind,
        "target": target,
        "label": label or str(target),
        "signed_in": signed_in,
        # Never on a page kept for every reader: the writer's own is rendered for them.
        "is_self": kind == Follow.Kind.WRITER
        and signed_in
        and getattr(user, "pk", None) == target.pk,
        "next": _next(context),
        "csrf_token": context.get("csrf_token"),
    }
    template = context.template.engine.get_template("discovery/_follow_button.html")
    holes = holes_of(context)
    if holes is not None and signed_in:
        states = {
            followed: template.render(Context({**values, "followed": followed}))
            for followed in (False, True)
        }
        return mark_safe(holes.add("follow", (kind, target.pk), states))  # noqa: S308  # nosec B308 B703
    values["followed"] = (kind, target.pk) in selectors.followed_by(request)
    return template.render(Context(values))


@register.simple_tag(takes_context=True)
def summary_request_box(context, paper):
    """Render the "request a summary" button with the number of readers who asked.

    On a page kept for every signed-in reader both states (asked or not) are rendered
    with the shared count, and the request picks its reader's.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    holes = holes_of(context)
    cache_depends("summary-requests", paper.pk)
    state = selectors.request_state(paper=paper, user=None if holes else user)
    values = {
        "paper": paper,
        "count": state["count"],
        "signed_in": signed_in,
        "next": _next(context),
        "csrf_token": context.get("csrf_token"),
    }
    template = context.template.engine.get_template("discovery/_request_box.html")
    if holes is not None and signed_in:
        states = {
            mine: template.render(Context({**values, "mine": mine}))
            for mine in (False, True)
        }
        return mark_safe(holes.add("request", paper.pk, states))  # noqa: S308  # nosec B308 B703
    return template.render(Context({**values, "mine": bool(state["mine"])}))


@register.simple_tag
def venue_wanted(venue, year=None):
    """Render the most requested unsummarised papers of a venue (and year), kept for
    every reader for selectors.WANTED_BOX_SECONDS."""
    key = selectors.wanted_box_key(venue.pk, year)
    html = cache.get(key)
    if html is None:
        page = selectors.wanted_list(
            venue=venue, year=year, limit=selectors.WANTED_BOX_SIZE
        )
        html = render_to_string(
            "discovery/_venue_wanted.html",
            {"venue": venue, "year": year, "items": page.items},
        )
        cache.set(key, html, selectors.WANTED_BOX_SECONDS)
    # Rendered by the site's own template, escaped as it rendered.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703
