import logging
from datetime import timedelta
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_create
from pages import demo
from papers.models import Paper, Venue, VenueAlias, normalise_alias
from papers.services import PaperData, papers_upsert
from summaries.models import Summary, Vote
from summaries.services import summary_create, vote_set
from users.models import MODERATORS_GROUP, User

# allauth builds links in e-mails from the current Site; Django's default is example.com,
# and a demo loaded earlier on another port named that port.
DEMO_SITE_NAME = "shortscience"
REPLACEABLE_SITE_DOMAINS = ("example.com", "127.0.0.1:", "localhost:")
PROGRESS_WIDTH = 24
# The demo's comments and votes would mail their writers; nobody reads those mails.
QUIET_MAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    help = (
        "Load demo papers, users, summaries, comments and votes. Safe to run again: rows "
        "that exist are left alone. The demo users (mkovacs, tokafor, lchen, hlindqvist "
        f'the moderator, rsilva) sign in with the password "{demo.DEMO_PASSWORD}". '
        "Mail the demo would send (comment notifications) is dropped."
    )

    def handle(self, *args, **options):
        # Tasks run in-process without a broker, and each would log a line.
        task_log = logging.getLogger("celery.app.trace")
        level = task_log.level
        task_log.setLevel(logging.WARNING)
        try:
            with (
                override_settings(EMAIL_BACKEND=QUIET_MAIL_BACKEND),
                transaction.atomic(),
            ):
                counts, created = self._load()
        finally:
            task_log.setLevel(level)
        self._progress(len(STEPS), done=True)
        self.stdout.write(
            "Demo content: {papers} papers, {summaries} summaries, {comments} comments, "
            "{votes} votes ({created} new). Sign in as {users} with the password "
            '"{password}"; {moderators} moderates.'.format(
                **counts, created=created, password=demo.DEMO_PASSWORD
            )
        )

    def _progress(self, step: int, *, done: bool = False) -> None:
        """Draw a one-line progress bar, redrawn in place."""
        filled = PROGRESS_WIDTH * step // len(STEPS)
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        label = "done" if done else STEPS[step]
        self.stdout.write(
            f"\rLoading the demo [{bar}] {step}/{len(STEPS)} {label:<9}",
            ending="\n" if done else "",
        )
        self.stdout.flush()

    def _load(self) -> tuple[dict, int]:
        created = 0
        self._progress(0)
        venues = {}
        for slug, short_name, name, kind, url in demo.VENUES:
            venues[slug], new = Venue.objects.get_or_create(
                slug=slug,
                defaults={
                    "short_name": short_name,
                    "name": name,
                    "kind": kind,
                    "url": url,
                },
            )
            created += new
            # Papers name their venue the way imports do, by a raw string resolved through
            # the alias table; the seed has each slug as an alias, and this keeps it so.
            VenueAlias.objects.get_or_create(
                alias=normalise_alias(slug), defaults={"venue": venues[slug]}
            )

        self._progress(1)
        papers, new_papers = _papers_get_or_create(demo.PAPERS, venues)
        created += new_papers

        self._progress(2)
        users = {}
        moderators = Group.objects.get_or_create(name=MODERATORS_GROUP)[0]
        for data in demo.USERS:
            users[data["username"]], new = _user_get_or_create(data)
            created += new
            if data.get("moderator"):
                users[data["username"]].groups.add(moderators)

        self._progress(3)
        summaries = {}
        for data in demo.SUMMARIES:
            paper, writer = papers[data["paper"]], users[data["writer"]]
            summary = Summary.objects.filter(paper=paper, writer=writer).first()
            if summary is None:
                summary = summary_create(
                    paper=paper,
                    writer=writer,
                    body=data["body"],
                    is_anonymous=data.get("is_anonymous", False),
                )
                created += 1
            summaries[(data["paper"], data["writer"])] = summary

        self._progress(4)
        comments: dict[str, Comment] = {}
        for data in demo.COMMENTS:
            summary, writer = summaries[data["summary"]], users[data["writer"]]
            comment = Comment.objects.filter(
                summary=summary, writer=writer, body=data["body"]
            ).first()
            if comment is None:
                parent = comments[data["parent"]] if "parent" in data else None
                comment = comment_create(
                    summary=summary, writer=writer, body=data["body"], parent=parent
                )
                created += 1
            comments[data["id"]] = comment

        self._progress(5)
        for voter, summary_key, value in demo.VOTES:
            user, summary = users[voter], summaries[summary_key]
            # A vote a demo user has since changed or withdrawn is theirs to keep.
            if Vote.objects.filter(user=user, summary=summary).exists():
                continue
            vote_set(user=user, summary=summary, value=value)
            created += 1

        _site_point_at_site_url()
        counts = {
            "papers": len(papers),
            "summaries": len(summaries),
            "comments": len(comments),
            "votes": len(demo.VOTES),
            "users": ", ".join(users),
            "moderators": ", ".join(
                d["username"] for d in demo.USERS if d.get("moderator")
            ),
        }
        return counts, created


STEPS = ("venues", "papers", "users", "summaries", "comments", "votes")


def _site_point_at_site_url() -> None:
    """Name SITE_URL's host and port in the Site row, unless someone set a real domain."""
    domain = urlsplit(settings.SITE_URL).netloc
    site = Site.objects.filter(pk=1).first()
    if site is None or not domain or site.domain == domain:
        return
    if site.domain.startswith(REPLACEABLE_SITE_DOMAINS):
        site.domain, site.name = domain, DEMO_SITE_NAME
        site.save(update_fields=["domain", "name"])


def _papers_get_or_create(
    datas: list[dict], venues: dict[str, Venue]
) -> tuple[dict[str, Paper], int]:
    """Return the demo papers by key, creating the missing ones; count the new ones.

    A paper is found by arXiv id, else DOI, else title. One that exists is left as it
    is: its metadata may since have been refreshed from arXiv or edited by an admin.
    The missing ones are written by papers_upsert, the same path as imports.
    """
    papers: dict[str, Paper] = {}
    missing = []
    for data in datas:
        if data["arxiv_id"]:
            existing = Paper.objects.filter(arxiv_id=data["arxiv_id"])
        elif data["doi"]:
            existing = Paper.objects.filter(doi=data["doi"])
        else:
            existing = Paper.objects.filter(title=data["title"])
        paper = existing.first()
        if paper is None:
            missing.append(data)
        else:
            papers[data["key"]] = paper
    if not missing:
        return papers, 0
    results = papers_upsert([_paper_record(data, venues) for data in missing])
    for data, (paper, _) in zip(missing, results, strict=True):
        papers[data["key"]] = paper
    return papers, sum(new for _, new in results)


def _paper_record(data: dict, venues: dict[str, Venue]) -> PaperData:
    """Return a demo paper as the record an import of it would produce."""
    if data["arxiv_id"]:
        source = Paper.Source.ARXIV
        url = f"https://arxiv.org/abs/{data['arxiv_id']}"
        pdf_url = f"https://arxiv.org/pdf/{data['arxiv_id']}"
    elif data["doi"]:
        source = Paper.Source.CROSSREF
        url = f"https://doi.org/{data['doi']}"
        pdf_url = ""
    else:
        source = Paper.Source.MANUAL
        url, pdf_url = "", ""
    venue = venues[data["venue"]]
    return PaperData(
        title=data["title"],
        source=source,
        authors=tuple((name, "") for name in data["authors"]),
        abstract=data["abstract"],
        year=data["year"],
        published_on=data["published_on"],
        venue=venue.slug,
        venue_kind=venue.kind,
        arxiv_id=data["arxiv_id"],
        arxiv_version=data["arxiv_version"],
        doi=data["doi"],
        url=data.get("url", url),
        pdf_url=data.get("pdf_url", pdf_url),
        journal_ref=data.get("journal_ref", ""),
        arxiv_comment=data.get("arxiv_comment", ""),
        keywords=tuple(data["keywords"]),
    )


def _user_get_or_create(data: dict) -> tuple[User, bool]:
    """Find the demo user by username, or create them with the published demo password.

    The password is set on creation only, so a demo user whose password was changed keeps it.
    """
    user, created = User.objects.get_or_create(
        username=data["username"],
        defaults={
            "email": f"{data['username']}@example.org",
            "display_name": data["display_name"],
            "affiliation": data["affiliation"],
            "bio": data["bio"],
            "orcid": data["orcid"],
            # Demo writers are established members, not brand-new accounts.
            "date_joined": timezone.now() - timedelta(days=365),
        },
    )
    if created:
        user.set_password(demo.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        # A verified address, so the demo users can sign in where verification is required.
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user, created
