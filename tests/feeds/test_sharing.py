import json
import re

import pytest
from django.utils import timezone

from shortscience import markup
from shortscience.imageproxy.signing import proxied_url
from summaries.models import Summary
from tests.factories import KeywordFactory, PaperFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _alternates(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in re.findall(r'<link rel="alternate"[^>]*>', html):
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        found.setdefault(kind, []).append(re.search(r'href="([^"]+)"', tag).group(1))
    return found


def _meta(html: str, key: str) -> str | None:
    match = re.search(
        rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html
    )
    return match.group(1) if match else None


def test_every_page_announces_the_site_feeds(client):
    html = client.get("/").content.decode()

    alternates = _alternates(html)
    assert "/feeds/latest.atom" in alternates["application/atom+xml"]
    assert "/feeds/latest.rss" in alternates["application/rss+xml"]


def test_paper_page_announces_its_feed_and_links_bibtex(client, paper):
    html = client.get(paper.get_absolute_url()).content.decode()

    alternates = _alternates(html)
    assert alternates["application/atom+xml"][0] == f"/feeds/papers/{paper.pk}.atom"
    assert alternates["application/rss+xml"][0] == f"/feeds/papers/{paper.pk}.rss"
    assert f'href="/papers/{paper.pk}/bibtex"' in html
    assert (
        f'<link rel="canonical" href="http://127.0.0.1:8000/papers/{paper.pk}/">'
        in html
    )
    assert _meta(html, "og:title") == paper.title
    assert _meta(html, "og:type") == "article"


def test_paper_page_has_scholarly_article_json_ld(client):
    paper = PaperFactory(
        title="Attention </script><b>Is</b> All",
        doi="10.5555/xyz",
        authors=["Ashish Vaswani", "Noam Shazeer"],
    )
    paper.keywords.add(KeywordFactory(name="transformers"))

    html = client.get(paper.get_absolute_url()).content.decode()

    (block,) = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL
    )
    data = json.loads(block)
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == paper.title
    assert [a["name"] for a in data["author"]] == ["Ashish Vaswani", "Noam Shazeer"]
    assert {i["propertyID"]: i["value"] for i in data["identifier"]} == {
        "arXiv": paper.arxiv_id,
        "DOI": "10.5555/xyz",
    }
    assert data["keywords"] == ["transformers"]
    assert "</script><b>" not in block


def test_summary_page_uses_its_first_image_as_the_preview(client):
    body = "Look:\n\nhttps://example.org/figure1.png\n\nand https://example.org/b.png"
    summary = SummaryFactory(body=body, body_html=markup.render(body))

    html = client.get(summary.get_absolute_url()).content.decode()

    # Through the image proxy, as the page shows it, at its absolute address.
    figure = "http://127.0.0.1:8000" + proxied_url("https://example.org/figure1.png")
    assert _meta(html, "og:image") == figure
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert _meta(html, "twitter:image") == figure
    assert f'href="/summaries/{summary.pk}/bibtex"' in html
    assert (
        f'<link rel="canonical" href="http://127.0.0.1:8000/summaries/{summary.pk}/">'
        in html
    )


def test_summary_page_without_image_has_a_small_card(client, summary):
    html = client.get(summary.get_absolute_url()).content.decode()

    assert _meta(html, "og:image") is None
    assert _meta(html, "twitter:card") == "summary"
    assert "and that is all" in _meta(html, "og:description")


def test_anonymous_summary_page_does_not_name_the_writer_in_meta(client):
    writer = UserFactory(display_name="Hidden Person")
    summary = SummaryFactory(writer=writer, is_anonymous=True)

    html = client.get(summary.get_absolute_url()).content.decode()
    head = html.split("</head>")[0]

    assert "Hidden Person" not in head
    assert writer.username not in head


def test_a_writers_own_draft_is_not_indexed_or_advertised(client):
    summary = SummaryFactory(status=Summary.Status.DRAFT, published_at=None)
    client.force_login(summary.writer)

    html = client.get(summary.get_absolute_url()).content.decode()

    assert '<meta name="robots" content="noindex">' in html
    assert "/bibtex" not in html
    assert 'rel="canonical"' not in html


def test_user_page_links_feed_and_zip_and_own_settings(client):
    writer = UserFactory()

    html = client.get(writer.get_absolute_url()).content.decode()
    assert (
        f"/feeds/users/{writer.username}.atom"
        in _alternates(html)["application/atom+xml"]
    )
    assert f"/users/{writer.username}/summaries.zip" in html
    assert "/api/tokens/" not in html

    client.force_login(writer)
    html = client.get(writer.get_absolute_url()).content.decode()
    assert 'href="/api/tokens/"' in html
    assert 'href="/settings/digest/"' in html


def test_venue_year_page_announces_feeds_and_bibtex(client, paper):
    venue = paper.venue

    html = client.get(f"/venues/{venue.slug}/{paper.year}/").content.decode()

    atom = _alternates(html)["application/atom+xml"]
    assert atom[:2] == [
        f"/feeds/venues/{venue.slug}/{paper.year}.atom",
        f"/feeds/venues/{venue.slug}.atom",
    ]
    assert f'href="/venues/{venue.slug}/{paper.year}/bibtex"' in html


def test_keyword_page_announces_its_feed(client, paper):
    keyword = KeywordFactory(name="optimisation")
    paper.keywords.add(keyword)

    html = client.get(keyword.get_absolute_url()).content.decode()

    assert _alternates(html)["application/rss+xml"][0] == (
        f"/feeds/keywords/{keyword.slug}.rss"
    )


def test_sitemap_lists_summarised_papers_public_summaries_and_venues(client):
    public = SummaryFactory()
    private = SummaryFactory(is_private=True)
    deleted = SummaryFactory(deleted_at=timezone.now())
    unsummarised = PaperFactory()

    response = client.get("/sitemap.xml")

    xml = response.content.decode()
    assert response.status_code == 200
    base = "http://127.0.0.1:8000"
    assert f"<loc>{base}/papers/{public.paper.pk}/</loc>" in xml
    assert f"<loc>{base}/summaries/{public.pk}/</loc>" in xml
    assert f"<loc>{base}/venues/{public.paper.venue.slug}/</loc>" in xml
    for hidden in (private, deleted):
        assert f"/summaries/{hidden.pk}/<" not in xml
        assert f"/papers/{hidden.paper.pk}/<" not in xml
    assert f"/papers/{unsummarised.pk}/<" not in xml
