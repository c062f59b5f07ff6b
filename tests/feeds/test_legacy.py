from urllib.parse import parse_qs, urlsplit

import pytest

from papers.models import Venue
from tests.factories import PaperFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(db):
    """ "Understanding deep learning requires rethinking generalization", on arXiv."""
    return PaperFactory(arxiv_id="1611.03530")


def _assert_moved(response, target: str):
    assert response.status_code == 301
    assert response["Location"] == target


def test_dblp_key_redirects_to_the_paper_with_that_bibtex_key(client):
    paper = PaperFactory(bibtex_key="conf/nips/VaswaniSPUJGKP17")

    response = client.get("/paper", {"bibtexKey": "conf/nips/VaswaniSPUJGKP17"})

    _assert_moved(response, f"/papers/{paper.pk}/")


@pytest.mark.parametrize(
    "key",
    [
        "journals/corr/1611.03530",
        "journals/corr/abs-1611-03530",
        "DBLP:journals/corr/abs-1611-03530",
        "1611.03530",
        "1611.03530v2",
        "arXiv:1611.03530",
        "https://arxiv.org/abs/1611.03530",
        "http://arxiv.org/pdf/1611.03530v1.pdf",
    ],
)
def test_arxiv_shaped_keys_redirect_to_the_arxiv_paper(client, zhang, key):
    _assert_moved(client.get("/paper", {"bibtexKey": key}), f"/papers/{zhang.pk}/")


def test_old_style_corr_key_redirects(client):
    paper = PaperFactory(arxiv_id="cs/0101001")

    response = client.get("/paper", {"bibtexKey": "journals/corr/cs-0101001"})

    _assert_moved(response, f"/papers/{paper.pk}/")


@pytest.mark.parametrize(
    "key", ["10.1038/nature14539", "https://doi.org/10.1038/NATURE14539"]
)
def test_doi_keys_redirect_to_the_paper_with_that_doi(client, key):
    paper = PaperFactory(doi="10.1038/nature14539")

    _assert_moved(client.get("/paper", {"bibtexKey": key}), f"/papers/{paper.pk}/")


@pytest.mark.parametrize(
    "key", ["conf/icml/Unknown99", "journals/corr/abs-2101-00001", "10.1/zzz"]
)
def test_unknown_paper_key_leads_to_add_a_paper_with_the_key(client, key):
    response = client.get("/paper", {"bibtexKey": key})

    assert response.status_code == 302
    assert response["Location"].startswith("/papers/add/?q=")
    assert parse_qs(urlsplit(response["Location"]).query)["q"] == [key]


def test_paper_without_key_is_404(client):
    assert client.get("/paper").status_code == 404


def test_venue_key_and_year_redirect_to_the_venue_year(client):
    neurips = Venue.objects.get(slug="neurips")  # seeded with the alias conf/nips
    PaperFactory(venue=neurips, year=2017)

    response = client.get("/venue", {"key": "conf/nips", "year": "2017"})

    _assert_moved(response, "/venues/neurips/2017/")


def test_venue_key_without_papers_that_year_redirects_to_the_venue(client):
    response = client.get("/venue", {"key": "conf/nips", "year": "1850"})

    _assert_moved(response, "/venues/neurips/")


def test_venue_by_name_alias_or_slug(client):
    venue = VenueFactory(slug="tmlr", short_name="TMLR")

    _assert_moved(client.get("/venue", {"key": "ICML"}), "/venues/icml/")
    _assert_moved(client.get("/venue", {"key": "tmlr"}), f"/venues/{venue.slug}/")


def test_unknown_venue_key_leads_to_add_a_paper(client):
    response = client.get("/venue", {"key": "conf/unknownconf", "year": "2017"})

    assert response.status_code == 302
    assert response["Location"] == "/papers/add/?q=conf%2Funknownconf"


def test_user_name_redirects_to_the_profile(client):
    UserFactory(username="hinton")

    _assert_moved(client.get("/user", {"name": "hinton"}), "/users/hinton/")
    _assert_moved(client.get("/user", {"name": "Hinton"}), "/users/hinton/")
    assert client.get("/user", {"name": "nobody"}).status_code == 404


def test_rss_xml_redirects_to_the_latest_feed(client):
    _assert_moved(client.get("/rss.xml"), "/feeds/latest.rss")


@pytest.mark.parametrize("key", ["conf/iclr/ZhangBHRV17", "DBLP:conf/iclr/ZhangBHRV17"])
def test_dblp_key_redirects_to_the_paper_imported_from_dblp(client, zhang, key):
    zhang.dblp_key = "conf/iclr/ZhangBHRV17"
    zhang.save()
    PaperFactory(bibtex_key="conf/iclr/ZhangBHRV17x")

    _assert_moved(client.get("/paper", {"bibtexKey": key}), f"/papers/{zhang.pk}/")


def test_dblp_imported_volume_answers_old_links(client, dblp_replay, arxiv_replay):
    from papers.models import Paper
    from papers.services import venue_import

    venue_import(key="conf/iclr", year=2017, link_arxiv=False)
    paper = Paper.objects.get(dblp_key="conf/iclr/KipfW17")

    response = client.get("/paper", {"bibtexKey": "conf/iclr/KipfW17"})

    _assert_moved(response, f"/papers/{paper.pk}/")
