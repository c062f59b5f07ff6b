import pytest
from django.urls import reverse

from tests.factories import PaperFactory, SummaryFactory, VenueFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("discovery:search")


def test_search_page_lists_highlighted_matches(client, reindex):
    paper = PaperFactory(title="Mastering the game of Go", authors=["David Silver"])
    SummaryFactory(paper=paper, body="Monte Carlo tree search guided by networks.")
    reindex(paper)
    html = client.get(SEARCH, {"q": "monte carlo"}).content.decode()
    assert "Mastering the game of Go" in html
    assert "<mark>" in html
    assert "1 summary" in html


def test_empty_search_shows_how_to_search(client):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert "arXiv id" in response.content.decode()


def test_an_arxiv_id_opens_the_paper(client):
    paper = PaperFactory(arxiv_id="1512.03385")
    response = client.get(SEARCH, {"q": "https://arxiv.org/abs/1512.03385v1"})
    assert response.status_code == 302
    assert response["Location"] == paper.get_absolute_url()


def test_an_unknown_id_offers_to_add_the_paper(client):
    html = client.get(SEARCH, {"q": "10.1038/nature14539"}).content.decode()
    assert f"{reverse('papers:paper-add')}?q=10.1038/nature14539" in html


def test_no_match_suggests_adding_the_paper(client):
    html = client.get(SEARCH, {"q": "zzyzx"}).content.decode()
    assert "No paper on this site matches" in html
    assert f"{reverse('papers:paper-add')}?q=zzyzx" in html


def test_next_page_link_keeps_the_filters(client):
    venue = VenueFactory(short_name="COLT")
    for n in range(25):
        PaperFactory(title=f"Bandits {n}", venue=venue)
    response = client.get(SEARCH, {"q": "bandits", "venue": "colt"})
    link = response.context["next_url"]
    assert "venue=colt" in link and "cursor=" in link
    second = client.get(SEARCH + link)
    titles = {hit.paper.title for hit in second.context["result"].hits}
    first = {hit.paper.title for hit in response.context["result"].hits}
    assert len(first) == 20 and len(titles) == 5 and not first & titles


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 501},
        {"q": "word " * 120},
        {"q": "?!.,;:()[]{}"},
        {"q": "the and of"},
        {"q": "-excluded"},
        {"q": '"'},
        {"q": "or"},
        {"q": "'; DROP TABLE papers_paper; --"},
        {"q": "1 OR 1=1"},
        {"q": "x') UNION SELECT password FROM users_user --"},
        {"q": "title:secret NEAR(a b) AND *"},
        {"q": "<script>alert(1)</script>"},
        {"q": "null\x00byte"},
        {"q": "émigré naïve Schrödinger 日本語"},
        {"q": "arXiv:9999.99999"},
        {"q": "10.1038/"},
        {"q": "graphs", "venue": "no-such-venue"},
        {"q": "graphs", "year_from": "abc"},
        {"q": "graphs", "year_from": "99999"},
        {"q": "graphs", "year_from": "2020", "year_to": "2010"},
        {"q": "graphs", "has_summaries": "maybe"},
        {"q": "graphs", "cursor": "garbage"},
        {"q": "graphs", "cursor": "W10"},
        {"q": "graphs", "unknown": "filter"},
        {"q": ["two", "values"]},
    ],
)
def test_bad_input_gets_a_message_never_an_error(client, params):
    PaperFactory(title="On graphs")
    response = client.get(SEARCH, params)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    if response.status_code == 400:
        assert 'role="alert"' in html or 'class="notice"' in html


def test_a_broken_cursor_shows_the_first_page_with_a_notice(client):
    PaperFactory(title="On graphs")
    response = client.get(SEARCH, {"q": "graphs", "cursor": "garbage"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "here is the first page" in html and "On <mark>graphs</mark>" in html


def test_search_page_runs_a_fixed_number_of_queries(
    client, reindex, django_assert_max_num_queries
):
    venue = VenueFactory()
    papers = [
        PaperFactory(
            title=f"Diffusion models {n}", venue=venue, authors=["A One", "B Two"]
        )
        for n in range(30)
    ]
    for paper in papers[:10]:
        SummaryFactory(paper=paper, body="Denoising diffusion, step by step.")
    reindex(*papers)
    # Venues, the candidates and their ranks (Postgres: in a transaction), the papers,
    # their authors, and the highlights.
    with django_assert_max_num_queries(9):
        response = client.get(SEARCH, {"q": "diffusion", "venue": venue.slug})
    assert len(response.context["result"].hits) == 20


def test_header_has_a_search_box(client):
    html = client.get(reverse("home")).content.decode()
    assert f'action="{SEARCH}"' in html and 'role="search"' in html
