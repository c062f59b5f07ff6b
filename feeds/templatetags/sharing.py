"""Head tags for feeds and sharing: feed discovery, OpenGraph/Twitter cards, canonical
addresses and schema.org JSON-LD."""

import json

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from feeds.html import excerpt, feed_html, first_image
from feeds.links import absolute

register = template.Library()

# As django.utils.html.json_script: keep "</script>" and friends out of the JSON.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def absolute_url(path: str) -> str:
    """Return the site-relative `path` as an absolute address on SITE_URL."""
    return absolute(path) if path else ""


@register.filter
def outside_html(body_html: str) -> str:
    """Return stored (sanitised) HTML as feeds show it, for mail: `feeds.html.feed_html`."""
    return mark_safe(feed_html(body_html or ""))  # noqa: S308  # sanitised when stored  # nosec


@register.filter
def summary_image(summary) -> str:
    """Return the absolute address of a summary's first image, or ""."""
    if not summary:
        return ""
    src = first_image(summary.body_html)
    return absolute(src) if src else ""


@register.filter
def summary_excerpt(summary, words: int = 40) -> str:
    return excerpt(summary.body_html, words=int(words)) if summary else ""


@register.inclusion_tag("feeds/_feed_links.html")
def feed_links(name: str, *title: str, **kwargs):
    """Announce a feed in Atom and RSS with <link rel="alternate">.

    The title is the remaining positional arguments, joined with spaces.
    """
    return {
        "title": " ".join(str(part) for part in title),
        "atom": reverse(f"feeds:{name}-atom", kwargs=kwargs),
        "rss": reverse(f"feeds:{name}-rss", kwargs=kwargs),
    }


@register.inclusion_tag("feeds/_sharing_meta.html")
def sharing_meta(
    *, title: str, path: str, description: str = "", image: str = "", kind="website"
):
    """Write the canonical address and the OpenGraph and Twitter card tags of a page."""
    return {
        "site_name": settings.SITE_NAME,
        "title": title,
        "url": absolute(path),
        "description": " ".join(description.split()),
        "image": image,
        "kind": kind,
    }


def _json_ld(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308  # escaped above  # nosec


@register.simple_tag
def paper_json_ld(paper) -> str:
    """Return a schema.org ScholarlyArticle of the paper as a JSON-LD data block."""
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": paper.title[:110],
        "name": paper.title,
        "url": absolute(paper.get_absolute_url()),
        "author": [
            {"@type": "Person", "name": authorship.author.name}
            for authorship in paper.authorships.all()
        ],
    }
    if paper.abstract:
        data["abstract"] = paper.abstract
    if paper.published_on:
        data["datePublished"] = paper.published_on.isoformat()
    elif paper.year:
        data["datePublished"] = str(paper.year)
    if paper.venue is not None:
        data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": paper.venue.name}
    identifiers = []
    same_as = []
    if paper.arxiv_id:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv_id}
        )
        same_as.append(paper.arxiv_abs_url)
    if paper.doi:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}
        )
        same_as.append(paper.doi_url)
    if identifiers:
        data["identifier"] = identifiers
        data["sameAs"] = same_as
    keywords = [keyword.name for keyword in paper.keywords.all()]
    if keywords:
        data["keywords"] = keywords
    return _json_ld(data)
