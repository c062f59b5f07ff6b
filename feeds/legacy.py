"""Find what an old ShortScience address named, so old links keep working.

The old site addressed papers by a BibTeX key (`/paper?bibtexKey=...`): a DBLP key
such as `conf/nips/VaswaniSPUJGKP17`, a DBLP CoRR key that encodes an arXiv id
(`journals/corr/abs-1611-03530`, or `journals/corr/1611.03530` in older DBLP
exports), a bare arXiv id or arxiv.org link, or a DOI. Venues were addressed by a
DBLP key prefix or name (`/venue?key=conf/nips&year=2017`) and writers by user name.
"""

from __future__ import annotations

import re

from papers import selectors as paper_selectors
from papers import services as paper_services
from papers.models import Paper, Venue, VenueAlias, normalise_alias
from shortscience.identifiers import classify
from users.models import User

_CORR_PREFIX = re.compile(r"^journals/corr/(?:abs-)?", re.IGNORECASE)
_CORR_NEW = re.compile(r"^(\d{4})[-.](\d{4,5})(v\d+)?$")
# Old-style arXiv ids in DBLP CoRR keys: "cs-0101001" for cs/0101001.
_CORR_OLD = re.compile(r"^([a-z]+(?:-[a-z]+)?)[-/](\d{7})$", re.IGNORECASE)
_DBLP_PREFIX = re.compile(r"^dblp:", re.IGNORECASE)


def _corr_arxiv_id(key: str) -> str | None:
    """Return the arXiv id a DBLP CoRR key encodes, or None for any other key."""
    if not _CORR_PREFIX.match(key):
        return None
    rest = _CORR_PREFIX.sub("", key)
    if match := _CORR_NEW.match(rest):
        return f"{match[1]}.{match[2]}"
    if match := _CORR_OLD.match(rest):
        return f"{match[1].lower()}/{match[2]}"
    return None


def paper_for_key(raw: str) -> Paper | None:
    """Return the paper an old `bibtexKey` names, or None when the site does not have it."""
    key = _DBLP_PREFIX.sub("", raw.strip())
    if not key:
        return None
    paper = (
        Paper.objects.filter(dblp_key=key).first()
        or Paper.objects.filter(bibtex_key__in={key, f"DBLP:{key}"}).first()
    )
    if paper is not None:
        return paper
    arxiv_id = _corr_arxiv_id(key)
    identifier = classify(arxiv_id or key)
    return paper_selectors.paper_find(identifier)


def venue_for_key(raw: str) -> Venue | None:
    """Return the venue an old venue key (DBLP prefix, alias or slug) names, or None."""
    key = raw.strip()
    if not key:
        return None
    venue = paper_services.venue_resolve(key, create=False)
    if venue is not None:
        return venue
    alias = VenueAlias.objects.filter(alias=normalise_alias(key)).first()
    if alias is not None:
        return alias.venue
    return Venue.objects.filter(slug=key.lower()).first()


def user_for_name(name: str) -> User | None:
    """Return the active user an old `/user?name=` address names, or None."""
    name = name.strip()
    if not name:
        return None
    return (
        User.objects.filter(username__iexact=name, is_active=True)
        .order_by("pk")
        .first()
    )
