"""Resolve raw venue strings and DBLP keys to venues, creating unknown ones."""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import slugify

from shortscience.cache import cache_touch

from ..models import Venue, VenueAlias, VenueSync, normalise_alias
from ..venue_seed import ARXIV_SLUG
from .coverage import venue_counts_changed


def venue_resolve(raw: str, *, kind: str = Venue.Kind.CONFERENCE, create: bool = True):
    """Return the Venue a raw venue string or DBLP key names, creating one if unknown.

    DBLP keys match on their prefix ("conf/nips/Foo17" -> "conf/nips"). An unknown
    string becomes a new venue with itself as its first alias, so the next paper from
    the same venue lands in the same place (aliases can be merged in the admin).
    """
    if not raw:
        return None
    if raw == ARXIV_SLUG:
        return Venue.objects.filter(slug=ARXIV_SLUG).first()
    alias = normalise_alias(raw)
    candidates = [alias]
    if alias.startswith(("conf/", "journals/")):
        candidates.insert(0, "/".join(alias.split("/")[:2]))
    # Proceedings titles carry years and ordinals: "Proceedings of the 34th ICML 2017".
    stripped = " ".join(
        w for w in alias.split() if not w.isdigit() and not w[:-2].isdigit()
    )
    for prefix in ("proceedings of the ", "proceedings of ", "in "):
        if stripped.startswith(prefix):
            stripped = stripped[len(prefix) :]
    candidates.append(stripped)
    found = (
        VenueAlias.objects.filter(alias__in=candidates).select_related("venue").first()
    )
    if found is not None:
        return found.venue
    if not create or alias.startswith(("conf/", "journals/")):
        return None
    name = raw.strip()[:300]
    short = name if len(name) <= 50 else name[:47] + "..."
    slug_base = slugify(short)[:50] or "venue"
    slug = slug_base
    n = 2
    while Venue.objects.filter(slug=slug).exists():
        slug = f"{slug_base}-{n}"
        n += 1
    venue = Venue.objects.create(short_name=short, name=name, slug=slug, kind=kind)
    VenueAlias.objects.get_or_create(alias=alias, defaults={"venue": venue})
    return venue


def venue_for_dblp_key(key: str, *, kind: str = Venue.Kind.CONFERENCE) -> Venue:
    """Return the venue a dblp venue key ("conf/nips") names, creating it when unknown.

    A new venue is named after the key's last part and gets the key as its alias, so
    every later record under that key lands in it; rename it in the admin.
    """
    key = key.strip().strip("/")
    venue = venue_resolve(key, create=False)
    if venue is not None:
        return venue
    short = key.rsplit("/", 1)[-1].upper()[:50]
    slug_base = slugify(short)[:50] or "venue"
    slug = slug_base
    n = 2
    while Venue.objects.filter(slug=slug).exists():
        slug = f"{slug_base}-{n}"
        n += 1
    venue = Venue.objects.create(short_name=short, name=short, slug=slug, kind=kind)
    VenueAlias.objects.get_or_create(alias=key, defaults={"venue": venue})
    cache_touch("list", "venues")
    return venue


def venue_save(*, venue: Venue) -> Venue:
    """Save a venue edited by staff (a rename, a new slug): its name shows on many pages."""
    venue.save()
    cache_touch("venue", venue.pk)
    cache_touch("list", "venues")
    return venue


def paper_save_from_admin(
    *, paper, was: tuple[int | None, int | None] = (None, None)
) -> None:
    """Invalidate the pages of a paper staff edited (fields, authors, keywords).

    `was` is the (venue id, year) the paper had before the edit: both venue-years are
    recounted.
    """
    cache_touch("paper", paper.pk)
    venue_counts_changed([was, (paper.venue_id, paper.year)])
    if paper.venue_id:
        # The venue-year it is now in; the one it left shows it no more, as every
        # listed paper's own version ("paper") moved.
        cache_touch("venue-year", f"{paper.venue_id}:{paper.year}")
    if paper.year:
        cache_touch("year-papers", paper.year)
    cache_touch("keyword-papers", *paper.keywords.values_list("pk", flat=True))


def venue_sync_record(
    *,
    source: str,
    key: str,
    year: int,
    summary: str,
    periodic: bool = False,
    found: int = 0,
    created: int = 0,
    matched: int = 0,
    linked: int = 0,
    errors: list[str] | None = None,
) -> VenueSync:
    """Keep what an import of a venue-year changed, for the staff page."""
    return VenueSync.objects.create(
        ran_at=timezone.now(),
        source=source,
        key=key[:200],
        year=year,
        periodic=periodic,
        found=found,
        created=created,
        matched=matched,
        linked=linked,
        summary=summary,
        errors="\n".join(errors or []),
    )
