import datetime as dt
import functools

import factory
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone

from authors.models import AuthorClaim
from comments.models import Comment
from lists.models import ListItem, ReadingList
from papers.models import Author, Authorship, Keyword, Paper, Venue
from shortscience import markup
from summaries.models import Summary, Vote
from users.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password("pw-for-tests")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue
        django_get_or_create = ("slug",)

    short_name = factory.Sequence(lambda n: f"CONF{n}")
    name = factory.LazyAttribute(lambda o: f"Conference {o.short_name}")
    slug = factory.LazyAttribute(lambda o: o.short_name.lower())
    kind = Venue.Kind.CONFERENCE


class KeywordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Keyword
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"topic {n}")
    slug = factory.LazyAttribute(lambda o: o.name.replace(" ", "-"))


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("name",)

    name = factory.Faker("name")


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    abstract = "We study things and find that they are interesting."
    year = 2017
    published_on = dt.date(2017, 6, 12)
    venue = factory.SubFactory(VenueFactory)
    arxiv_id = factory.Sequence(lambda n: f"1706.{n:05d}")
    arxiv_version = 1
    source = Paper.Source.ARXIV

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        names = extracted if extracted is not None else ["Ada Lovelace", "Alan Turing"]
        for position, name in enumerate(names):
            author, _ = Author.objects.get_or_create(name=name)
            Authorship.objects.create(paper=self, author=author, position=position)


class SummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Summary

    paper = factory.SubFactory(PaperFactory)
    writer = factory.SubFactory(UserFactory)
    body = "The loss is $\\mathcal{L}(\\theta) = \\mathbb{E}[\\ell]$ and that is all."
    status = Summary.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    body_html = factory.LazyAttribute(lambda o: _rendered(o.body).html)
    excerpt_html = factory.LazyAttribute(lambda o: _rendered(o.body).excerpt_html)
    plain_text = factory.LazyAttribute(lambda o: _rendered(o.body).plain_text)
    rendered_by = markup.RENDERER_VERSION


@functools.lru_cache(maxsize=64)
def _rendered(body: str) -> markup.Rendered:
    """A summary's stored render, as shortscience.rendering would store it."""
    return markup.render_document(body)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    summary = factory.SubFactory(SummaryFactory)
    writer = factory.SubFactory(UserFactory)
    body = "Nice summary; what about $\\beta_2$?"
    body_html = factory.LazyAttribute(lambda o: markup.render(o.body))
    rendered_by = markup.RENDERER_VERSION


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    summary = factory.SubFactory(SummaryFactory)
    user = factory.SubFactory(UserFactory)
    value = 1


class DigestSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "feeds.DigestSubscription"
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    subscribed = True


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """An API token made by the token service; the usable token is on `.raw`."""

    class Meta:
        model = "api.ApiToken"

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"script {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from api.services import token_create

        token, raw = token_create(user=kwargs["user"], name=kwargs["name"])
        token.raw = raw
        return token


class ReadingListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadingList

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Reading list {n}")
    visibility = ReadingList.Visibility.PUBLIC


class ListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListItem

    reading_list = factory.SubFactory(ReadingListFactory)
    paper = factory.SubFactory(PaperFactory)
    position = factory.Sequence(lambda n: n)


def valid_orcid(number: int) -> str:
    """Return the ORCID iD with these 15 digits (zero-padded) and its check character."""
    from users.orcid import orcid_check_character

    digits = f"{number:015d}"
    full = digits + orcid_check_character(digits)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


class OrcidAccountFactory(factory.django.DjangoModelFactory):
    """An ORCID iD verified by signing in through ORCID (allauth's social account)."""

    class Meta:
        model = SocialAccount

    user = factory.SubFactory(UserFactory)
    provider = "orcid"
    uid = factory.Sequence(lambda n: valid_orcid(9_000_000 + n))


class AuthorClaimFactory(factory.django.DjangoModelFactory):
    """An approved claim, written directly: tests of counts go through the services."""

    class Meta:
        model = AuthorClaim

    paper = factory.SubFactory(PaperFactory)
    user = factory.SubFactory(UserFactory)
    orcid = "0000-0002-1825-0097"
    status = AuthorClaim.Status.APPROVED
    method = AuthorClaim.Method.MODERATOR
    decided_at = factory.LazyFunction(timezone.now)
