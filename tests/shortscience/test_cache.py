"""Anonymous pages come from the cache, and every write shows at once."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.services import comment_create
from papers.services import PaperData, paper_upsert
from summaries import services as summary_services
from tests.factories import KeywordFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


def anonymous_get(path):
    return Client().get(path)


def assert_cached(path):
    anonymous_get(path)
    response = anonymous_get(path)
    assert response["X-Cache"] == "hit", path
    return response


@pytest.fixture
def world():
    summary = SummaryFactory(body="first words", score=0)
    summary.paper.keywords.add(KeywordFactory(name="optimisation", slug="optimisation"))
    return summary


def pages(summary):
    paper = summary.paper
    return [
        "/",
        paper.get_absolute_url(),
        summary.get_absolute_url(),
        summary.writer.get_absolute_url(),
        "/venues/",
        paper.venue.get_absolute_url(),
        reverse("papers:venue-year", args=[paper.venue.slug, paper.year]),
        "/years/",
        reverse("papers:year-detail", args=[paper.year]),
        "/keywords/optimisation/",
    ]


def test_anonymous_pages_are_served_from_the_cache(world):
    for path in pages(world):
        assert_cached(path)


def test_a_summary_edit_through_the_web_shows_at_once(
    world, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.writer)
    for path in pages(world):
        assert_cached(path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("summaries:summary-edit", args=[world.pk]),
            {"body": "second words", "action": "save"},
        )
    for path in (world.paper.get_absolute_url(), world.get_absolute_url()):
        html = anonymous_get(path).content.decode()
        assert "second words" in html and "first words" not in html, path


def test_a_new_summary_shows_on_every_list_at_once(world):
    for path in pages(world):
        assert_cached(path)
    newer = SummaryFactory(
        paper=world.paper, writer=UserFactory(display_name="Newer Writer")
    )
    summary_services.summary_render(summary_id=newer.pk)
    assert (
        "Newer Writer" in anonymous_get(world.paper.get_absolute_url()).content.decode()
    )
    assert "2 public summaries" in anonymous_get("/").content.decode()


def test_a_vote_shows_at_once(world):
    assert_cached(world.paper.get_absolute_url())
    voter = Client()
    voter.force_login(UserFactory(date_joined=timezone.now() - timedelta(days=9)))
    voter.post(reverse("summaries:summary-vote", args=[world.pk]), {"value": 1})
    assert (
        '<span class="score-value">1</span>'
        in anonymous_get(world.paper.get_absolute_url()).content.decode()
    )


def test_a_comment_rendered_by_a_worker_shows_at_once(world):
    assert_cached(world.get_absolute_url())
    comment = comment_create(
        summary=world,
        writer=UserFactory(date_joined=timezone.now() - timedelta(days=9)),
        body="a *fresh* comment",
    )
    from comments.services import comment_render

    comment_render(comment_id=comment.pk)
    assert "<em>fresh</em>" in anonymous_get(world.get_absolute_url()).content.decode()


def test_an_import_shows_on_venue_and_year_pages_at_once(
    world, django_capture_on_commit_callbacks
):
    venue_year = reverse(
        "papers:venue-year", args=[world.paper.venue.slug, world.paper.year]
    )
    assert_cached(venue_year)
    world.paper.venue.aliases.create(alias=world.paper.venue.name)
    with django_capture_on_commit_callbacks(execute=True):
        paper_upsert(
            PaperData(
                title="A freshly imported paper",
                source="bibsonomy",
                authors=(("New Author", ""),),
                year=world.paper.year,
                venue=world.paper.venue.name,
            )
        )
    assert "A freshly imported paper" in anonymous_get(venue_year).content.decode()


def test_signed_in_views_are_never_cached_or_served_from_cache(world):
    path = world.paper.get_absolute_url()
    assert_cached(path)
    client = Client()
    client.force_login(world.writer)
    response = client.get(path)
    assert "X-Cache" not in response
    assert (
        "Edit your summary" in response.content.decode()
    )  # their own page, not the cached one
    assert "Edit your summary" not in anonymous_get(path).content.decode()


def test_pages_that_set_cookies_are_not_cached():
    assert "X-Cache" not in Client().get("/accounts/login/")
