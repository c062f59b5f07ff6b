"""A paper's page kept for every signed-in reader, with each reader's own parts filled in."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.services import comment_create
from discovery.services import follow_set
from shortscience.holes import Holes, fill
from summaries.models import Summary
from summaries.services import vote_set
from tests.factories import (
    AuthorClaimFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_holes_cut_a_rendering_at_its_markers_and_fill_them_per_reader():
    holes = Holes()
    html = (
        f"<p>a{holes.add('vote', 7, {0: 'none', 1: 'up'})}b{holes.add('x', 1, {})}c</p>"
    )
    parts = Holes.split(html)
    assert parts == ["<p>a", "0", "b", "1", "c</p>"]
    picked = fill(parts, holes.items, lambda h: h["states"].get(1, h["kind"]))
    assert picked == "<p>aupbxc</p>"
    # A marker nobody registered (text holding NUL characters) stands for nothing.
    assert fill(Holes.split("a\x00hole:7\x00b"), holes.items, str) == "ab"


@pytest.fixture
def page():
    paper = PaperFactory()
    first = SummaryFactory(paper=paper, score=5)
    second = SummaryFactory(paper=paper, score=1)
    return paper, first, second


def test_readers_share_one_kept_page_and_each_sees_their_own_vote_and_follows(page):
    paper, first, second = page
    fan, other = UserFactory(), UserFactory()
    vote_set(user=fan, summary=first, value=1)
    follow_set(user=fan, target=paper.venue, follow=True)
    url = paper.get_absolute_url()

    fan_html = signed_in(fan).get(url).content.decode()  # renders and keeps the page
    with CaptureQueriesContext(connection) as queries:
        other_html = signed_in(other).get(url).content.decode()
    again = signed_in(fan).get(url).content.decode()

    # The kept page: none of the paper's, summaries' or comments' rows are read again,
    # only the reader, their moderation right, comments, follows, votes and summary.
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "papers_paper" not in sql and 'comments_comment"."body' not in sql
    assert len(queries.captured_queries) <= 7, [q["sql"][:80] for q in queries]
    for html in (fan_html, again):
        assert 'class="vote-up voted"' in html
        assert html.count('class="secondary small following"') == 1  # the venue
    assert " voted" not in other_html and "small following" not in other_html
    assert other_html.count('class="vote"') == again.count('class="vote"') == 2
    for html in (fan_html, other_html, again):
        assert "\x00" not in html and "csrf-token-of-this-request" not in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert 'name="next" value="/papers/' in html


def test_a_readers_own_link_to_their_draft_fills_the_kept_page(page):
    paper, _, _ = page
    drafter, other = UserFactory(), UserFactory()
    draft = SummaryFactory(
        paper=paper, writer=drafter, status=Summary.Status.DRAFT, published_at=None
    )
    url = paper.get_absolute_url()
    assert "Write a summary" in signed_in(other).get(url).content.decode()
    html = signed_in(drafter).get(url).content.decode()
    assert "Continue your draft" in html
    assert reverse("summaries:summary-edit", args=[draft.pk]) in html


def test_a_reader_with_words_of_their_own_on_the_page_gets_a_page_of_their_own(page):
    paper, first, _ = page
    commenter, writer_of_first, author, other = (
        UserFactory(),
        first.writer,
        UserFactory(),
        UserFactory(),
    )
    AuthorClaimFactory(paper=paper, user=author)
    comment_create(summary=first, writer=commenter, body="What about the bias term?")
    url = paper.get_absolute_url()
    shared = signed_in(other).get(url).content.decode()  # the kept page

    assert "Edit your comment" in signed_in(commenter).get(url).content.decode()
    assert "Edit your comment" not in shared
    own = signed_in(writer_of_first).get(url).content.decode()
    assert reverse("summaries:summary-history", args=[first.pk]) in own
    assert reverse("summaries:summary-history", args=[first.pk]) not in shared
    assert "You are a claimed author" in signed_in(author).get(url).content.decode()
    assert "You are a claimed author" not in shared
    # Those pages were not kept for everybody else.
    later = signed_in(other).get(url).content.decode()
    assert "Edit your comment" not in later and "You are a claimed author" not in later
    assert reverse("summaries:summary-history", args=[first.pk]) not in later


def test_a_request_for_a_summary_shows_at_once_to_every_reader():
    paper = PaperFactory()
    asker, other = UserFactory(), UserFactory()
    url = paper.get_absolute_url()
    assert "Nobody has asked" in Client().get(url).content.decode()
    assert "Nobody has asked" in signed_in(other).get(url).content.decode()

    signed_in(asker).post(
        reverse("discovery:summary-request", args=[paper.pk]), {"next": url}
    )

    anonymous = Client().get(url)
    assert "<strong>1</strong> reader asked" in anonymous.content.decode()
    theirs = signed_in(other).get(url).content.decode()
    assert "<strong>1</strong> reader asked" in theirs
    assert "Withdraw my request" not in theirs
    assert "Withdraw my request" in signed_in(asker).get(url).content.decode()


def test_a_paper_page_reads_of_its_writers_only_what_their_bylines_show(page):
    paper, first, _ = page
    comment_create(summary=first, writer=UserFactory(), body="A question.")
    with CaptureQueriesContext(connection) as queries:
        html = Client().get(paper.get_absolute_url()).content.decode()
    assert first.writer.public_name in html and "A question." in html
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for column in ("password", "email", "bio", "reputation"):
        assert f'"users_user"."{column}"' not in sql, [
            q["sql"][:150] for q in queries.captured_queries if column in q["sql"]
        ]


@pytest.mark.parametrize("asked", ["²", "٢", "abc", "-1", "9" * 5000])
def test_a_page_number_python_cannot_read_as_a_page_is_the_first_page(page, asked):
    paper, first, _ = page
    venue_year = reverse("papers:venue-year", args=[paper.venue.slug, paper.year])
    for client in (Client(), signed_in(UserFactory())):
        for url in (paper.get_absolute_url(), venue_year):
            response = client.get(url, {"page": asked})
            # "٢" is an Arabic-Indic two: a second page, which these lists do not have.
            assert response.status_code == (404 if asked == "٢" else 200), url
