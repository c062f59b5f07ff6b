"""Markdown twins of the reading pages and /llms.txt."""

import re

import pytest
from django.urls import reverse

from lists.models import ReadingList
from tests.factories import (
    ListItemFactory,
    PaperFactory,
    ReadingListFactory,
    SummaryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _alternate(html: str) -> str:
    match = re.search(
        r'<link rel="alternate" type="text/markdown"[^>]*href="([^"]+)"', html
    )
    assert match is not None
    return match.group(1)


def test_paper_page_links_its_markdown_twin_with_summaries_as_tex(client):
    summary = SummaryFactory(paper=PaperFactory(title="Adam: a method"))

    html = client.get(summary.paper.get_absolute_url()).content.decode()
    response = client.get(_alternate(html))

    text = response.content.decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert text.startswith("# Adam: a method\n")
    assert "- Authors: Ada Lovelace, Alan Turing" in text
    assert r"$\mathcal{L}(\theta) = \mathbb{E}[\ell]$" in text
    assert f"## Summary by {summary.writer.public_name}" in text


def test_summary_twin_keeps_private_summaries_private(client):
    summary = SummaryFactory(is_private=True)

    response = client.get(reverse("summary-markdown", args=[summary.pk]))
    client.force_login(summary.writer)
    own = client.get(reverse("summary-markdown", args=[summary.pk]))

    assert response.status_code == 404
    assert own.content.decode().startswith(f"# Summary of {summary.paper.title}")


def test_venue_year_twin_lists_its_papers(client):
    paper = PaperFactory(year=2017)
    url = reverse("papers:venue-year", args=[paper.venue.slug, 2017])

    html = client.get(url).content.decode()
    text = client.get(_alternate(html)).content.decode()

    assert text.startswith(f"# {paper.venue.name} 2017\n")
    assert f"[{paper.title}](http" in text


def test_profile_twin_lists_summaries_and_public_lists(client):
    summary = SummaryFactory()
    ReadingListFactory(owner=summary.writer, title="Optimisers")

    html = client.get(summary.writer.get_absolute_url()).content.decode()
    text = client.get(_alternate(html)).content.decode()

    assert f"- [{summary.paper.title}](" in text
    assert "- [Optimisers](" in text


def test_list_twin_numbers_papers_with_notes_and_honours_the_link_key(client):
    item = ListItemFactory(
        note="the key result",
        reading_list=ReadingListFactory(visibility=ReadingList.Visibility.UNLISTED),
    )
    reading_list = item.reading_list

    html = client.get(reading_list.share_url()).content.decode()
    text = client.get(_alternate(html)).content.decode()
    without_key = client.get(reverse("list-markdown", args=[reading_list.pk]))

    assert f"1. [{item.paper.title}](" in text
    assert "   Note: the key result" in text
    assert without_key.status_code == 404


def test_llms_txt_names_the_markdown_pages_and_the_api(client):
    UserFactory()

    text = client.get("/llms.txt").content.decode()

    assert text.startswith("# ")
    assert "`/papers/<id>.md`" in text
    assert "/api/openapi.json" in text
    assert "No summary here is machine-generated." in text
