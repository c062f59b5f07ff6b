import pytest
from django.urls import reverse

from tests.factories import (
    CommentFactory,
    KeywordFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_paper():
    """A paper with 20 public summaries, each with 10 comments (half of them replies)."""
    paper = PaperFactory(authors=[f"Author {i}" for i in range(12)])
    paper.keywords.add(KeywordFactory(), KeywordFactory())
    for _ in range(20):
        summary = SummaryFactory(paper=paper)
        for _ in range(5):
            parent = CommentFactory(summary=summary)
            CommentFactory(summary=summary, parent=parent, depth=1)
    return paper


def test_home_counts_and_lists(client):
    summary = SummaryFactory(body="Gradient $\\nabla_\\theta$")
    SummaryFactory(paper=summary.paper)
    SummaryFactory(status="draft", published_at=None)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "2 public summaries of 1 paper" in response.content.decode()
    assert summary.paper.title in response.content.decode()


def test_home_empty_state(client):
    response = client.get(reverse("home"))
    assert "No summaries yet" in response.content.decode()


def test_paper_page_shows_metadata_and_math(client):
    paper = PaperFactory(
        title="Attention Is All You Need",
        authors=["Ashish Vaswani", "Noam Shazeer"],
        arxiv_id="1706.03762",
        doi="",
    )
    SummaryFactory(
        paper=paper,
        body="$$\\mathrm{softmax}\\left(\\frac{QK^T}{\\sqrt{d_k}}\\right)V$$",
    )
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Ashish Vaswani, Noam Shazeer" in html
    assert "via arXiv" in html
    assert "https://arxiv.org/abs/1706.03762" in html
    assert 'class="katex-display"' in html
    assert "math-error" not in html
    assert reverse("papers:venue-year", args=[paper.venue.slug, 2017]) in html


def test_paper_page_orders_summaries_by_score_and_hides_private_and_drafts(client):
    paper = PaperFactory()
    low = SummaryFactory(paper=paper, score=1, body="low summary")
    high = SummaryFactory(paper=paper, score=5, body="high summary")
    SummaryFactory(paper=paper, is_private=True, body="secret summary")
    SummaryFactory(paper=paper, status="draft", published_at=None, body="draft summary")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert html.index("high summary") < html.index("low summary")
    assert "secret summary" not in html
    assert "draft summary" not in html
    assert str(high.writer.public_name) in html and str(low.writer.public_name) in html


def test_paper_page_shows_summaries_ten_at_a_time_best_first(client):
    paper = PaperFactory()
    ranked = [
        SummaryFactory(paper=paper, body=f"Summary number {n}.", score=30 - n)
        for n in range(23)
    ]
    url = paper.get_absolute_url()

    def shown(response):
        html = response.content.decode()
        return [s.pk for s in ranked if f"Summary number {ranked.index(s)}." in html]

    first = client.get(url)
    html = first.content.decode()
    assert '<h2 id="summaries-h">23 summaries</h2>' in html
    assert shown(first) == [s.pk for s in ranked[:10]]
    assert "Summaries 1–10 of 23" in html
    assert 'href="?page=2#summaries-h">More summaries' in html
    assert "Better rated" not in html
    second = client.get(url, {"page": 2})
    assert shown(second) == [s.pk for s in ranked[10:20]]
    last = client.get(url, {"page": 3}).content.decode()
    assert "Summaries 21–23 of 23" in last and "More summaries" not in last
    assert 'href="?page=2#summaries-h">← Better rated' in last
    assert client.get(url, {"page": 4}).status_code == 404
    # Anything but a page number is the first page, and shares its cached copy.
    again = client.get(url, {"page": "two"})
    assert shown(again) == shown(first) and again["X-Cache"] == "hit"
    assert client.get(url, {"page": 2})["X-Cache"] == "hit"


def test_anonymous_summary_hides_writer(client):
    summary = SummaryFactory(
        is_anonymous=True, writer=UserFactory(display_name="Hidden Person")
    )
    html = client.get(summary.paper.get_absolute_url()).content.decode()
    assert "Anonymous" in html
    assert "Hidden Person" not in html
    profile = client.get(summary.writer.get_absolute_url()).content.decode()
    assert summary.paper.title not in profile


def test_paper_page_empty_state_invites_first_summary(client, paper):
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "write the first summary" in html


def test_paper_page_query_count_is_fixed(
    client, busy_paper, django_assert_max_num_queries
):
    # paper, authors, keywords, the summaries shown (a row each, without their text),
    # those whose cards are not kept in full, their comments, citing summaries, the
    # approved code and project links (asked only when the paper's header is rendered
    # anew), and the paper's claimed authors. Endorsements and author responses are
    # counted in the full summaries' query and loaded only where there are any.
    with django_assert_max_num_queries(9):
        response = client.get(busy_paper.get_absolute_url())
    # The first page of summaries: 10 of the 20, each with its 10 comments.
    assert response.content.decode().count('class="comment depth-') == 100


def test_paper_page_reads_the_versions_of_its_new_cards_at_once(
    client, busy_paper, monkeypatch
):
    from shortscience import cache as page_cache

    reads = []
    real = page_cache._versions

    def counted(keys, **kwargs):
        keys = list(keys)
        reads.append(len(keys))
        return real(keys, **kwargs)

    monkeypatch.setattr(page_cache, "_versions", counted)
    html = client.get(busy_paper.get_absolute_url()).content.decode()

    assert html.count('class="comment depth-') == 100  # ten cards rendered anew
    # The kept cards (none yet), one read for all ten cards' summaries, comments and
    # people, and the page's own versions when it is stored: not one read a card.
    assert len(reads) <= 4, reads


def test_paper_page_with_kept_cards_loads_no_summary_text_or_comments(
    client, busy_paper, django_user_model
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reader = django_user_model.objects.create_user("card-reader", password="x")
    client.force_login(reader)
    url = busy_paper.get_absolute_url()
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url).content.decode()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'comments_comment"."body' not in sql
    assert 'summaries_summary"."body_html' not in sql
    # The same page: the kept cards, with this request's CSRF token and vote forms.
    assert (
        again.count('class="comment depth-')
        == first.count('class="comment depth-')
        == 100
    )
    assert "csrf-token-of-this-request" not in again and "\x00" not in again
    assert again.count('class="vote"') == first.count('class="vote"') >= 1


def test_home_query_count_is_fixed(client, busy_paper, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(reverse("home"))


def test_summary_permalink_shows_threaded_comments(client):
    summary = SummaryFactory()
    first = CommentFactory(summary=summary, body="first comment")
    CommentFactory(summary=summary, parent=first, depth=1, body="a reply")
    CommentFactory(summary=summary, body="second comment")
    html = client.get(summary.get_absolute_url()).content.decode()
    assert (
        html.index("first comment")
        < html.index("a reply")
        < html.index("second comment")
    )
    assert "depth-1" in html


def test_deleted_comment_keeps_thread(client):
    from django.utils import timezone

    summary = SummaryFactory()
    parent = CommentFactory(summary=summary, body="gone", deleted_at=timezone.now())
    CommentFactory(summary=summary, parent=parent, depth=1, body="still here")
    html = client.get(summary.get_absolute_url()).content.decode()
    assert "[deleted]" in html and "still here" in html and "gone" not in html


def test_private_summary_only_for_writer_and_share_link(client):
    summary = SummaryFactory(is_private=True, body="private words")
    assert client.get(summary.get_absolute_url()).status_code == 404
    shared = client.get(reverse("summary-shared", args=[summary.share_token]))
    assert "private words" in shared.content.decode()
    client.force_login(summary.writer)
    assert client.get(summary.get_absolute_url()).status_code == 200


def test_broken_math_keeps_all_text(client):
    summary = SummaryFactory(body="Before $\\frac{$ after the broken formula.")
    html = client.get(summary.get_absolute_url()).content.decode()
    assert "after the broken formula" in html
    assert "math-error" in html


def test_unrendered_summary_shows_its_source(client):
    summary = SummaryFactory(body="plain *text*", body_html="", rendered_by="")
    html = client.get(summary.get_absolute_url()).content.decode()
    assert "plain *text*" in html


def test_user_profile(client):
    writer = UserFactory(
        display_name="Grace Hopper", affiliation="Navy", orcid="0000-0002-1825-0097"
    )
    SummaryFactory(writer=writer)
    html = client.get(writer.get_absolute_url()).content.decode()
    assert "Grace Hopper" in html and "Navy" in html and "0000-0002-1825-0097" in html


@pytest.mark.parametrize(
    "url",
    [
        "/papers/999999/",
        "/summaries/999999/",
        "/users/nobody-here/",
        "/venues/no-such-venue/",
        "/keywords/no-such-keyword/",
        "/years/1850/",
        "/s/not-a-token/",
    ],
)
def test_unknown_objects_give_a_styled_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


def test_summary_written_for_an_older_version_says_so(client):
    summary = SummaryFactory(arxiv_version=1, paper__arxiv_version=3)
    html = client.get(summary.paper.get_absolute_url()).content.decode()
    assert "Written for v1; the paper is now at" in html and ">v3<" in html


def test_summary_for_the_current_version_has_no_note(client):
    summary = SummaryFactory(arxiv_version=3, paper__arxiv_version=3)
    html = client.get(summary.paper.get_absolute_url()).content.decode()
    assert "Written for v" not in html


def test_home_lists_show_an_excerpt_with_read_more(client):
    summary = SummaryFactory(
        body="## Idea\n\nThe critic $ V^{\\pi}(s) $ learns *fast*.\n\nMore detail later."
    )

    page = client.get(reverse("home")).content.decode()

    assert summary.excerpt_html.startswith(
        '<p>The critic <span class="math math-inline">'
    )
    assert f'<div class="excerpt md">{summary.excerpt_html}</div>' in page
    # The link's name starts with its visible words, and names the paper for screen readers.
    assert (
        f'<a href="{summary.get_absolute_url()}">read more<span class="visually-hidden">: '
        f"the summary of {summary.paper.title}</span></a>"
    ) in page
    assert "More detail later" not in page and "Idea" not in page


def test_profile_lists_show_excerpts(client):
    summary = SummaryFactory(body="First paragraph of the profile summary.\n\nSecond.")

    page = client.get(summary.writer.get_absolute_url()).content.decode()

    assert "<p>First paragraph of the profile summary.</p>" in page
    assert "Second." not in page


def test_paper_page_shows_affiliations_and_journal_reference(client):
    paper = PaperFactory(
        authors=["Ada Lovelace", "Alan Turing"],
        journal_ref="J. Mach. Learn. Res. 15 (2014) 1929-1958",
    )
    paper.authorships.filter(position=0).update(affiliation="Analytical Engine Lab")

    html = client.get(paper.get_absolute_url()).content.decode()

    assert (
        'Ada Lovelace <span class="affiliation">(Analytical Engine Lab)</span>' in html
    )
    # No empty parentheses for an author without an affiliation.
    assert "(Analytical Engine Lab)</span>, Alan Turing</p>" in html
    assert "Journal reference: J. Mach. Learn. Res. 15 (2014) 1929-1958" in html
