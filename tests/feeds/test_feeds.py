import feedparser
import pytest
from django.utils import timezone

from feeds.links import namespace
from summaries.models import Summary
from tests.factories import (
    KeywordFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

FORMATS = ["atom", "rss"]


def _feed_urls(summary):
    paper = summary.paper
    keyword = paper.keywords.first()
    return [
        "/feeds/latest",
        "/feeds/top",
        f"/feeds/papers/{paper.pk}",
        f"/feeds/venues/{paper.venue.slug}",
        f"/feeds/venues/{paper.venue.slug}/{paper.year}",
        f"/feeds/keywords/{keyword.slug}",
        f"/feeds/users/{summary.writer.username}",
    ]


@pytest.fixture
def published(db):
    paper = PaperFactory(doi="10.1234/example.5678", venue=VenueFactory(slug="nips"))
    paper.keywords.add(KeywordFactory(name="attention", slug="attention"))
    return SummaryFactory(paper=paper, score=7)


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, feedparser.parse(response.content)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("index", range(7))
def test_every_feed_parses_and_carries_the_extension_elements(
    client, published, fmt, index
):
    url = f"{_feed_urls(published)[index]}.{fmt}"

    response, feed = _parse(client, url)

    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.namespaces["ss"] == namespace()
    (entry,) = feed.entries
    assert entry.link.endswith(f"/summaries/{published.pk}/")
    assert entry.ss_arxiv == published.paper.arxiv_id
    assert entry.ss_doi == "10.1234/example.5678"
    assert entry.ss_score == "7"


@pytest.mark.parametrize("fmt", FORMATS)
def test_feed_content_is_the_whole_summary_with_mathml_and_no_katex_layout(
    client, published, fmt
):
    _, feed = _parse(client, f"/feeds/latest.{fmt}")

    html = (
        feed.entries[0].content[0].value
        if fmt == "atom"
        else feed.entries[0].description
    )
    assert "<math" in html
    assert "katex-html" not in html
    assert "and that is all" in html


@pytest.mark.parametrize("fmt", FORMATS)
def test_feed_content_carries_absolute_addresses_for_images_and_links(
    client, settings, fmt
):
    settings.SITE_URL = "https://shortscience.example"
    SummaryFactory(
        body="A figure: ![plot](/media/images/2024/01/plot.png), see [the paper](/papers/3/)"
        " and [elsewhere](https://example.org/x)."
    )

    _, feed = _parse(client, f"/feeds/latest.{fmt}")

    html = (
        feed.entries[0].content[0].value
        if fmt == "atom"
        else feed.entries[0].description
    )
    assert 'src="https://shortscience.example/media/images/2024/01/plot.png"' in html
    assert 'href="https://shortscience.example/papers/3/"' in html
    assert 'href="https://example.org/x"' in html
    assert '="/' not in html


def test_atom_entries_have_a_plain_summary_and_categories(client, published):
    _, feed = _parse(client, "/feeds/latest.atom")

    entry = feed.entries[0]
    assert "<" not in entry.summary
    assert "and that is all" in entry.summary
    assert [tag.term for tag in entry.tags] == ["attention"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_anonymous_summaries_say_anonymous_and_never_name_the_writer(client, fmt):
    writer = UserFactory(username="secretwriter", display_name="Secret Writer")
    SummaryFactory(writer=writer, is_anonymous=True)

    response, feed = _parse(client, f"/feeds/latest.{fmt}")

    assert feed.entries[0].author == "Anonymous"
    assert b"secretwriter" not in response.content
    assert b"Secret Writer" not in response.content


def test_a_writers_feed_leaves_out_their_anonymous_summaries(client):
    writer = UserFactory()
    SummaryFactory(writer=writer, is_anonymous=True)
    named = SummaryFactory(writer=writer)

    _, feed = _parse(client, f"/feeds/users/{writer.username}.atom")

    assert [e.link for e in feed.entries] == [
        f"http://127.0.0.1:8000/summaries/{named.pk}/"
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_private_draft_and_deleted_summaries_never_appear(client, published, fmt):
    paper = published.paper
    hidden = [
        SummaryFactory(paper=paper, is_private=True),
        SummaryFactory(paper=paper, status=Summary.Status.DRAFT, published_at=None),
        SummaryFactory(paper=paper, deleted_at=timezone.now()),
    ]
    for url in _feed_urls(published):
        _, feed = _parse(client, f"{url}.{fmt}")
        links = {entry.link for entry in feed.entries}
        for summary in hidden:
            assert not any(link.endswith(f"/summaries/{summary.pk}/") for link in links)


def test_top_feed_orders_by_score(client):
    low = SummaryFactory(score=1)
    high = SummaryFactory(score=10)

    _, feed = _parse(client, "/feeds/top.atom")

    assert [e.link.rsplit("/", 2)[-2] for e in feed.entries] == [
        str(high.pk),
        str(low.pk),
    ]


def test_unknown_objects_give_404(client):
    assert client.get("/feeds/papers/999999.atom").status_code == 404
    assert client.get("/feeds/venues/nope.rss").status_code == 404
    assert client.get("/feeds/users/nobody.atom").status_code == 404


def test_feed_self_link_and_alternate_link_use_the_site_url(
    client, published, settings
):
    settings.SITE_URL = "https://shortscience.example"

    _, feed = _parse(client, f"/feeds/papers/{published.paper.pk}.atom")

    links = {link.rel: link.href for link in feed.feed.links}
    assert (
        links["self"]
        == f"https://shortscience.example/feeds/papers/{published.paper.pk}.atom"
    )
    assert (
        links["alternate"]
        == f"https://shortscience.example/papers/{published.paper.pk}/"
    )
    assert feed.namespaces["ss"] == "https://shortscience.example/ns/1.0"


def test_namespace_page_describes_the_elements(client):
    response = client.get("/ns/1.0")

    assert response.status_code == 200
    assert b"ss:score" in response.content


def test_a_feed_costs_the_same_queries_however_long(client, django_assert_num_queries):
    SummaryFactory()
    client.get("/feeds/latest.atom")  # the syndication framework caches the Site row
    with django_assert_num_queries(3):
        client.get("/feeds/latest.atom")
    SummaryFactory.create_batch(5)

    with django_assert_num_queries(3):
        client.get("/feeds/latest.atom")
