"""Template pieces other apps' pages include: follow buttons, the request box, wanted."""

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from discovery import selectors
from discovery.models import Follow

register = template.Library()


def _followed(context) -> set[tuple[str, int]]:
    """Return what the signed-in reader follows, read once per request."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return set()
    if not hasattr(request, "_discovery_followed"):
        rows = Follow.objects.filter(user=request.user).values_list(
            "venue_id", "keyword_id", "writer_id"
        )
        request._discovery_followed = selectors.followed_keys(rows)
    return request._discovery_followed


@register.inclusion_tag("discovery/_follow_button.html", takes_context=True)
def follow_button(context, kind: str, target, label: str = ""):
    """Render a follow/unfollow button for a venue, keyword or writer."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "kind": kind,
        "target": target,
        "label": label or str(target),
        "followed": (kind, target.pk) in _followed(context),
        "signed_in": bool(user and user.is_authenticated),
        "is_self": kind == Follow.Kind.WRITER and user and user.pk == target.pk,
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("discovery/_request_box.html", takes_context=True)
def summary_request_box(context, paper):
    """Render the "request a summary" button with the number of readers who asked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    state = selectors.request_state(paper=paper, user=user)
    return {
        "paper": paper,
        "count": state["count"],
        "mine": bool(state["mine"]),
        "signed_in": bool(user and user.is_authenticated),
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }


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
