"""Fill the site with the XSS corpus through the services user input goes through.

Every vector reaches every surface: paper titles, abstracts, author names, venue and
keywords, links (as a BibSonomy import brings them), summary bodies (50 vectors per
summary, saved twice so that their revision history shows a difference), comments
(one vector each, by commenters whose display names are vectors too), and profiles
(display name, affiliation, bio, website) through the profile service.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import cycle

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from comments.services import comment_create
from papers.models import Paper
from papers.services import PaperData, paper_upsert
from summaries.services import summary_create, summary_save
from tests.factories import UserFactory
from users.models import User
from users.services import user_profile_update

VECTORS_PER_SUMMARY = 50

_LINK_RE = re.compile(r"^!?\[a\]\((.+)\)$", re.DOTALL)


@dataclass
class HostileSite:
    paper_paths: list[str] = field(default_factory=list)
    summary_paths: list[str] = field(default_factory=list)
    # The difference between a summary's two revisions.
    history_paths: list[str] = field(default_factory=list)
    # Pages only the writer of the first summary sees (its editor, with a preview).
    writer: User | None = None
    writer_paths: list[str] = field(default_factory=list)
    # Every profile; the first ones hold the bios (and are the summary writers).
    user_paths: list[str] = field(default_factory=list)
    bio_user_paths: list[str] = field(default_factory=list)
    refused_websites: list[str] = field(default_factory=list)


def batched(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def pack(vectors: list[str], limit: int, sep: str = " ") -> list[str]:
    """Join vectors into as few strings of at most `limit` characters as possible.

    A vector longer than the limit is cut: the field could not hold more of it.
    """
    packed: list[str] = []
    current = ""
    for vector in vectors:
        vector = vector[:limit]
        if current and len(current) + len(sep) + len(vector) <= limit:
            current += sep + vector
        else:
            if current:
                packed.append(current)
            current = vector
    packed.append(current)
    return packed


def link_targets(vectors: list[str]) -> list[str]:
    """Return the URLs of the corpus's `[a](...)` and `![a](...)` vectors."""
    return [m[1] for v in vectors if (m := _LINK_RE.match(v))]


def storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; Django's form fields refuse it before it gets
    # here (ProhibitNullCharactersValidator).
    return text.replace("\x00", "")


def one_line(text: str) -> str:
    # Titles arrive whitespace-collapsed from the import clients, and a display name
    # comes from a one-line input; both end up in e-mail subjects, which refuse newlines.
    return " ".join(text.split())


def _profile(user: User, data: dict, site: HostileSite) -> None:
    try:
        user_profile_update(user=user, data=data)
    except ValidationError as exc:
        # An unsafe website is refused by the URL validator: that is a pass too.
        if set(exc.message_dict) != {"website"}:
            raise
        site.refused_websites.append(data.pop("website"))
        user_profile_update(user=user, data=data)


def build_hostile_site(vectors: list[str]) -> HostileSite:
    site = HostileSite()
    vectors = [storable(v) for v in vectors]
    urls = link_targets(vectors)
    long_ago = timezone.now() - dt.timedelta(days=400)

    # Display names are shown beside every comment, so the commenters' names reach the
    # paper pages; affiliations, bios and websites only their own profile page.
    names = pack([one_line(v) for v in vectors], 100)
    affiliations = pack(vectors, 200)
    bios = pack(vectors, 2000, sep="\n")
    websites = cycle(urls)
    users = []
    for i in range(max(len(names), len(affiliations), len(bios))):
        # Seasoned accounts with some reputation: the corpus is about rendering, and
        # probation (tests/users/test_probation.py) would refuse its links and images.
        user = UserFactory(
            username=f"hostile{i}", display_name="", date_joined=long_ago, reputation=1
        )
        data = {
            "display_name": names[i % len(names)],
            "affiliation": affiliations[i % len(affiliations)],
            "bio": bios[i] if i < len(bios) else "",
            "website": next(websites)[:200],
            # Hundreds of comments would otherwise mean hundreds of e-mails.
            "notify_on_comment": False,
        }
        _profile(user, data, site)
        users.append(user)
    profiles = max(len(affiliations), len(bios))
    site.user_paths = [u.get_absolute_url() for u in users[:profiles]]
    site.bio_user_paths = site.user_paths[: len(bios)]

    commenters = cycle(users)
    summaries = []
    for i, batch in enumerate(batched(vectors, VECTORS_PER_SUMMARY)):
        paper, _ = paper_upsert(
            PaperData(
                title=one_line(" ".join(batch)),
                source=Paper.Source.BIBSONOMY,
                authors=tuple((v[:300], "") for v in batch),
                abstract="\n\n".join(batch),
                year=2020,
                venue=batch[0][:300],
                url=urls[(2 * i) % len(urls)][:500],
                pdf_url=urls[(2 * i + 1) % len(urls)][:500],
                keywords=tuple(v[:100] for v in batch[:5]),
            )
        )
        writer = users[i % len(bios)]
        summary_create(paper=paper, writer=writer, body="\n\n".join(batch))
        summary = summary_save(
            paper=paper, writer=writer, body="\n\n".join(reversed(batch))
        )
        for vector in batch:
            comment_create(summary=summary, writer=next(commenters), body=vector)
        site.paper_paths.append(paper.get_absolute_url())
        summaries.append(summary)
        site.summary_paths.append(summary.get_absolute_url())
        site.history_paths.append(
            reverse("summaries:summary-history", args=[summary.pk])
        )
    site.writer = users[0]
    site.writer_paths = [
        reverse("summaries:summary-edit", args=[summaries[0].pk]),
        site.paper_paths[0],
    ]
    return site
