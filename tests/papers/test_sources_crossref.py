import json
from pathlib import Path

import pytest

from papers.sources.clients import crossref_client
from papers.sources.crossref import CrossrefClient, CrossrefWork, parse_work
from papers.sources.http import (
    HttpClient,
    MalformedResponse,
    NotFound,
    PermanentSourceError,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crossref"
JSON = "application/json;charset=utf-8"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def make_client(httpserver, **kwargs):
    options = {
        "timeout": 2.0,
        "user_agent": "shortscience-tests/1.0",
        "sleep": [].append,
    }
    options.update(kwargs)
    return CrossrefClient(
        http=HttpClient(service="Crossref", **options),
        base_url=httpserver.url_for("/"),
    )


def work_payload(**message):
    base = {"DOI": "10.1234/example", "title": ["Example"]}
    base.update(message)
    return {"status": "ok", "message-type": "work", "message": base}


def test_parse_work_reads_the_fixture():
    work = parse_work(fixture("work_nature14539.json"))

    assert work == CrossrefWork(
        doi="10.1038/nature14539",
        title="Deep learning",
        authors=("Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"),
        year=2015,
        venue="Nature",
        url="https://doi.org/10.1038/nature14539",
        abstract=work.abstract,
        type="journal-article",
    )
    assert work.abstract.startswith("Deep learning allows computational models")
    assert work.abstract.endswith("sequential data such as text and speech.")
    assert "<" not in work.abstract


def test_parse_work_strips_jats_markup():
    payload = work_payload(
        abstract=(
            "<jats:title>Abstract</jats:title><jats:p>We train a <jats:italic>deep"
            "</jats:italic> network &amp; report\n   results.</jats:p>"
        ),
        title=["On <i>Deep</i>   Networks"],
    )

    work = parse_work(payload)

    assert work.abstract == "Abstract We train a deep network & report results."
    assert work.title == "On Deep Networks"


@pytest.mark.parametrize(
    ("dates", "year"),
    [
        (
            {
                "published-print": {"date-parts": [[2016, 6]]},
                "published-online": {"date-parts": [[2015, 12, 10]]},
                "issued": {"date-parts": [[2015]]},
            },
            2016,
        ),
        ({"published-online": {"date-parts": [[2015, 12, 10]]}}, 2015),
        ({"issued": {"date-parts": [[2014]]}}, 2014),
        ({"issued": {"date-parts": [[None]]}}, None),
        ({}, None),
    ],
)
def test_parse_work_year_prefers_the_print_date(dates, year):
    assert parse_work(work_payload(**dates)).year == year


def test_parse_work_keeps_author_order_and_organisations():
    payload = work_payload(
        author=[
            {"given": "Ashish", "family": "Vaswani", "sequence": "first"},
            {"name": "Google Brain Team", "sequence": "additional"},
            {"family": "Shazeer", "sequence": "additional"},
        ]
    )

    assert parse_work(payload).authors == (
        "Ashish Vaswani",
        "Google Brain Team",
        "Shazeer",
    )


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"status": "failed", "message": "nope"}',
        b'{"status": "ok", "message": {}}',
        b"[]",
    ],
)
def test_parse_work_rejects_malformed_answers(body):
    with pytest.raises(MalformedResponse):
        parse_work(body)


def test_work_fetches_by_doi(httpserver):
    httpserver.expect_request("/works/10.1038/nature14539").respond_with_data(
        fixture("work_nature14539.json"), content_type=JSON
    )

    work = make_client(httpserver).work("https://doi.org/10.1038/NATURE14539")

    assert work.title == "Deep learning"
    (request, _) = httpserver.log[0]
    assert request.headers["User-Agent"] == "shortscience-tests/1.0"


def test_work_quotes_the_doi_path(httpserver):
    doi = "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-o"
    body = json.dumps(work_payload(DOI=doi))
    httpserver.expect_request(f"/works/{doi}").respond_with_data(
        body, content_type=JSON
    )

    work = make_client(httpserver).work(doi)

    assert work.doi == doi
    (request, _) = httpserver.log[0]
    assert request.environ["REQUEST_URI"] == (
        "/works/10.1002/%28sici%291097-4571%28199806%2949%3A8%3C693%3A%3Aaid-asi4"
        "%3E3.0.co%3B2-o"
    )


def test_unknown_doi_is_not_found(httpserver):
    httpserver.expect_request("/works/10.1038/nonexistent").respond_with_data(
        "Resource not found.", status=404, content_type="text/plain"
    )

    with pytest.raises(NotFound, match="DOI 10.1038/nonexistent not found on Crossref"):
        make_client(httpserver).work("10.1038/nonexistent")


def test_a_non_doi_is_rejected_without_a_request(httpserver):
    with pytest.raises(PermanentSourceError):
        make_client(httpserver).work("Deep learning")

    assert httpserver.log == []


def test_malformed_json_is_reported(httpserver):
    httpserver.expect_request("/works/10.1038/nature14539").respond_with_data(
        "<html>Bad gateway page</html>", content_type="text/html"
    )

    with pytest.raises(MalformedResponse):
        make_client(httpserver).work("10.1038/nature14539")


def test_from_settings_reads_django_settings(settings):
    settings.CROSSREF_API_URL = "http://crossref.test/"

    client = crossref_client(timeout=1.0)

    assert client.base_url == "http://crossref.test"
    assert client.http.timeout == 1.0
