from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from comments.models import Comment
from comments.services import comment_create
from papers.models import Author, Authorship, Keyword, Paper, Venue
from shortscience import demo_data
from summaries.models import Summary, Vote
from summaries.services import summary_create, vote_set
from users.models import User

# allauth builds links in e-mails from the current Site; Django's default is example.com.
DEMO_SITE_DOMAIN = "127.0.0.1:8000"
DEMO_SITE_NAME = "shortscience"


class Command(BaseCommand):
    help = (
        "Load demo papers, users, summaries, comments and votes. Safe to run again: rows "
        "that exist are left alone. The demo users (mkovacs, tokafor, lchen, hlindqvist, "
        f'rsilva) sign in with the password "{demo_data.DEMO_PASSWORD}".'
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        venues = {}
        for slug, short_name, name, kind, url in demo_data.VENUES:
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

        papers = {}
        for data in demo_data.PAPERS:
            papers[data["key"]], new = _paper_get_or_create(data, venues)
            created += new

        users = {}
        for data in demo_data.USERS:
            users[data["username"]], new = _user_get_or_create(data)
            created += new

        summaries = {}
        for data in demo_data.SUMMARIES:
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

        comments = {}
        for data in demo_data.COMMENTS:
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

        for voter, summary_key, value in demo_data.VOTES:
            user, summary = users[voter], summaries[summary_key]
            # A vote a demo user has since changed or withdrawn is theirs to keep.
            if Vote.objects.filter(user=user, summary=summary).exists():
                continue
            vote_set(user=user, summary=summary, value=value)
            created += 1

        Site.objects.filter(pk=1, domain="example.com").update(
            domain=DEMO_SITE_DOMAIN, name=DEMO_SITE_NAME
        )

        self.stdout.write(
            f"Demo content: {len(papers)} papers, {len(summaries)} summaries, "
            f"{len(comments)} comments, {len(demo_data.VOTES)} votes ({created} new)"
        )


def _paper_get_or_create(data: dict, venues: dict) -> tuple[Paper, bool]:
    """Find the paper by arXiv id, else DOI, else title; create it with its authors if absent.

    A paper that exists is left as it is: its metadata may since have been refreshed
    from arXiv or edited by an admin.
    """
    if data["arxiv_id"]:
        existing = Paper.objects.filter(arxiv_id=data["arxiv_id"])
    elif data["doi"]:
        existing = Paper.objects.filter(doi=data["doi"])
    else:
        existing = Paper.objects.filter(title=data["title"])
    paper = existing.first()
    if paper is not None:
        return paper, False

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
    paper = Paper(
        title=data["title"],
        abstract=data["abstract"],
        year=data["year"],
        published_on=data["published_on"],
        venue=venues[data["venue"]],
        arxiv_id=data["arxiv_id"],
        arxiv_version=data["arxiv_version"],
        doi=data["doi"],
        journal_ref=data.get("journal_ref", ""),
        url=data.get("url", url),
        pdf_url=data.get("pdf_url", pdf_url),
        source=source,
    )
    paper.full_clean()
    paper.save()
    for position, name in enumerate(data["authors"]):
        author, _ = Author.objects.get_or_create(name=name)
        Authorship.objects.create(paper=paper, author=author, position=position)
    for name in data["keywords"]:
        keyword, _ = Keyword.objects.get_or_create(
            slug=slugify(name), defaults={"name": name}
        )
        paper.keywords.add(keyword)
    return paper, True


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
        user.set_password(demo_data.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        # A verified address, so the demo users can sign in where verification is required.
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user, created
