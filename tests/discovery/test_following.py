import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from discovery import selectors, services
from discovery.models import Follow
from tests.factories import (
    KeywordFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

FOLLOW = reverse("discovery:follow")
FOLLOWING = reverse("discovery:following")


def test_follow_and_unfollow_a_venue_keyword_and_writer(client_logged_in, user):
    venue, keyword, writer = VenueFactory(), KeywordFactory(), UserFactory()
    for kind, target in (("venue", venue), ("keyword", keyword), ("writer", writer)):
        response = client_logged_in.post(FOLLOW, {"kind": kind, "target": target.pk})
        assert response.status_code == 302
        assert response["Location"] == target.get_absolute_url()
    assert {f.target for f in Follow.objects.filter(user=user)} == {
        venue,
        keyword,
        writer,
    }
    client_logged_in.post(FOLLOW, {"kind": "venue", "target": venue.pk})
    assert Follow.objects.filter(user=user).count() == 3  # following twice counts once
    client_logged_in.post(
        FOLLOW, {"kind": "venue", "target": venue.pk, "action": "unfollow"}
    )
    assert Follow.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "paper", "target": "1"},
        {"kind": "venue", "target": "abc"},
        {"kind": "venue", "target": "-1"},
    ],
)
def test_follow_refuses_bad_input(client_logged_in, data):
    assert client_logged_in.post(FOLLOW, data).status_code == 400


def test_follow_unknown_target_is_404(client_logged_in):
    assert (
        client_logged_in.post(FOLLOW, {"kind": "venue", "target": "999999"}).status_code
        == 404
    )


def test_nobody_follows_themselves(client_logged_in, user):
    client_logged_in.post(FOLLOW, {"kind": "writer", "target": user.pk})
    assert not Follow.objects.exists()


def test_follow_needs_sign_in_and_csrf(user):
    venue = VenueFactory()
    assert reverse("account_login") in Client().post(FOLLOW)["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(FOLLOW, {"kind": "venue", "target": venue.pk}).status_code == 403


def test_paper_page_offers_follow_buttons(client_logged_in, user):
    keyword = KeywordFactory(name="optimal transport")
    paper = PaperFactory()
    paper.keywords.add(keyword)
    summary = SummaryFactory(paper=paper)
    SummaryFactory(
        paper=paper, is_anonymous=True, writer=UserFactory(display_name="Ghost")
    )
    services.follow_set(user=user, target=keyword, follow=True)
    html = client_logged_in.get(paper.get_absolute_url()).content.decode()
    assert f'name="target" value="{paper.venue.pk}"' in html
    assert 'Unfollow <span class="follow-target">optimal transport</span>' in html
    assert f'Follow <span class="follow-target">{summary.writer.public_name}' in html
    assert 'Follow <span class="follow-target">Ghost' not in html


def test_feed_shows_new_summaries_from_followed_things(user):
    venue, keyword, writer = VenueFactory(), KeywordFactory(), UserFactory()
    by_venue = SummaryFactory(paper__venue=venue)
    tagged = PaperFactory()
    tagged.keywords.add(keyword)
    by_keyword = SummaryFactory(paper=tagged)
    by_writer = SummaryFactory(writer=writer)
    SummaryFactory(writer=writer, is_anonymous=True)  # never leaks to followers
    SummaryFactory(paper__venue=venue, is_private=True)
    SummaryFactory()  # unrelated
    for target in (venue, keyword, writer):
        services.follow_set(user=user, target=target, follow=True)
    page = selectors.following_feed(follows=selectors.follow_list(user=user))
    assert {s.pk for s in page.items} == {by_venue.pk, by_keyword.pk, by_writer.pk}


def test_feed_is_newest_first_and_pages_with_a_cursor(user):
    venue = VenueFactory()
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    summaries = [
        SummaryFactory(paper__venue=venue, published_at=start + dt.timedelta(hours=n))
        for n in range(5)
    ]
    services.follow_set(user=user, target=venue, follow=True)
    follows = selectors.follow_list(user=user)
    first = selectors.following_feed(follows=follows, limit=3)
    second = selectors.following_feed(
        follows=follows, limit=3, cursor=first.next_cursor
    )
    assert [s.pk for s in first.items + second.items] == [s.pk for s in summaries][::-1]
    assert second.next_cursor is None


def test_following_page(client_logged_in, user, django_assert_max_num_queries):
    venue = VenueFactory(short_name="AISTATS")
    for _ in range(25):
        SummaryFactory(paper__venue=venue)
    services.follow_set(user=user, target=venue, follow=True)
    with django_assert_max_num_queries(7):
        response = client_logged_in.get(FOLLOWING)
    html = response.content.decode()
    assert html.count('class="card"') == 20
    assert 'Unfollow <span class="follow-target">AISTATS' in html
    assert "More →" in html
    html = client_logged_in.get(FOLLOWING + response.context["next_url"]).content
    assert html.decode().count('class="card"') == 5


def test_following_page_needs_sign_in_and_explains_the_empty_state(client_logged_in):
    assert reverse("account_login") in Client().get(FOLLOWING)["Location"]
    html = client_logged_in.get(FOLLOWING).content.decode()
    assert "You follow nothing yet" in html


def test_following_page_survives_a_broken_cursor(client_logged_in, user):
    services.follow_set(user=user, target=VenueFactory(), follow=True)
    response = client_logged_in.get(FOLLOWING, {"cursor": "!!"})
    assert response.status_code == 200
    assert "here is the first page" in response.content.decode()
