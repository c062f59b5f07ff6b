import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from discovery import selectors
from summaries.models import Vote
from tests.factories import PaperFactory, SummaryFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


def votes(summary, n, days_ago=0, value=1):
    """Cast n votes on a summary, `days_ago` days before NOW."""
    for _ in range(n):
        vote = VoteFactory(summary=summary, value=value)
        Vote.objects.filter(pk=vote.pk).update(
            created_at=NOW - dt.timedelta(days=days_ago)
        )


@pytest.fixture
def week():
    old = NOW - dt.timedelta(days=30)
    fresh = SummaryFactory(published_at=old, body="fresh votes")
    stale = SummaryFactory(published_at=old, body="older votes")
    ancient = SummaryFactory(published_at=old, body="outside the window")
    panned = SummaryFactory(published_at=old, body="voted down")
    votes(fresh, 3, days_ago=0)
    votes(stale, 5, days_ago=6)
    votes(ancient, 50, days_ago=9)
    votes(panned, 4, days_ago=1, value=-1)
    return fresh, stale, ancient, panned


def test_popular_counts_this_weeks_votes_recent_ones_more(week):
    fresh, stale, _, _ = week
    activity = selectors.recent_activity(now=NOW)
    popular = selectors.summary_list_popular(activity=activity)
    # 3 votes today beat 5 votes six days ago (halved every two days: 5/8 < 3).
    assert popular == [fresh, stale]
    assert [s.popularity for s in popular] == pytest.approx([3.0, 5 / 8])


def test_trending_papers_weigh_new_summaries_and_votes(week):
    fresh, stale, _, _ = week
    new_paper = PaperFactory(title="Brand new")
    SummaryFactory(paper=new_paper, published_at=NOW - dt.timedelta(hours=1))
    activity = selectors.recent_activity(now=NOW)
    trending = selectors.paper_list_trending(activity=activity)
    assert trending == [new_paper, fresh.paper, stale.paper]


def test_private_and_draft_summaries_never_trend():
    private = SummaryFactory(is_private=True, published_at=NOW)
    votes(private, 5)
    SummaryFactory(status="draft", published_at=None)
    activity = selectors.recent_activity(now=NOW)
    assert selectors.summary_list_popular(activity=activity) == []
    assert selectors.paper_list_trending(activity=activity) == []


@time_machine.travel(NOW, tick=False)
def test_home_tabs(client, week, django_assert_max_num_queries):
    fresh, stale, ancient, panned = week
    ancient.score = 99
    ancient.save()
    latest = SummaryFactory(published_at=NOW - dt.timedelta(days=2))
    with django_assert_max_num_queries(7):
        popular = client.get(reverse("home")).content.decode()
    with django_assert_max_num_queries(4):  # the counts and weekly scores are cached
        client.get(reverse("home"), {"tab": "popular", "again": "1"})
    assert popular.index(fresh.paper.title) < popular.index(stale.paper.title)
    assert 'aria-current="page">Popular' in popular
    assert "Trending papers this week" in popular

    recent = client.get(reverse("home"), {"tab": "recent"}).content.decode()
    assert recent.index(latest.paper.title) < recent.index(fresh.paper.title)

    top = client.get(reverse("home"), {"tab": "top"}).content.decode()
    assert top.index(ancient.paper.title) < top.index(fresh.paper.title)
    assert 'aria-current="page">Highest rated' in top

    assert client.get(reverse("home"), {"tab": "<bogus>"}).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_a_quiet_week_shows_the_latest_summaries(client):
    summary = SummaryFactory(published_at=NOW - dt.timedelta(days=20))
    html = client.get(reverse("home")).content.decode()
    assert "No votes this week yet" in html
    assert summary.paper.title in html
    assert "Quiet week" in html


def test_home_keeps_its_counts_line(client):
    SummaryFactory(writer=UserFactory())
    assert "1 public summary of 1 paper" in client.get(reverse("home")).content.decode()
