from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from papers.sources.arxiv import (
    ArxivAuthor,
    ArxivClient,
    ArxivRecord,
    parse_feed,
)
from papers.sources.clients import arxiv_client
from papers.sources.http import (
    HttpClient,
    MalformedResponse,
    NotFound,
    PermanentSourceError,
    TransientSourceError,
)
from papers.sources.ratelimit import LocalRateLimiter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv"
ATOM = "application/atom+xml; charset=utf-8"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def make_client(httpserver, sleeps, *, rate_limiter=None, **kwargs):
    options = {
        "timeout": 2.0,
        "user_agent": "shortscience-tests/1.0",
        "sleep": sleeps.append,
        "throttle": rate_limiter.wait if rate_limiter is not None else None,
    }
    options.update(kwargs)
    return ArxivClient(
        http=HttpClient(service="arXiv", **options),
        base_url=httpserver.url_for("/api/query"),
    )


def records_by_id(feed):
    return {record.versioned_id: record for record in feed.records}


# Parser


def test_parse_current_feed():
    feed = parse_feed(fixture("id_list_batch.xml"))

    assert feed.total_results == 3
    assert feed.errors == ()
    assert [record.versioned_id for record in feed.records] == [
        "1706.03762v7",
        "1611.03530v2",
        "physics/0004057v1",
    ]


def test_parse_current_entry_fields():
    record = records_by_id(parse_feed(fixture("id_list_batch.xml")))["1706.03762v7"]

    assert record.arxiv_id == "1706.03762"
    assert record.version == 7
    assert record.title == "Attention Is All You Need"
    assert record.abstract.startswith("The dominant sequence transduction models are")
    assert record.abstract.endswith("with large and limited training data.")
    assert "\n" not in record.abstract
    assert [author.name for author in record.authors] == [
        "Ashish Vaswani",
        "Noam Shazeer",
        "Niki Parmar",
        "Jakob Uszkoreit",
        "Llion Jones",
        "Aidan N. Gomez",
        "Lukasz Kaiser",
        "Illia Polosukhin",
    ]
    assert record.published == datetime(2017, 6, 12, 17, 57, 34, tzinfo=UTC)
    assert record.updated == datetime(2023, 8, 2, 0, 41, 18, tzinfo=UTC)
    assert record.primary_category == "cs.CL"
    assert record.categories == ("cs.CL", "cs.LG")
    assert record.comment == "15 pages, 5 figures"
    assert record.doi is None
    assert record.journal_ref is None
    assert record.abs_url == "https://arxiv.org/abs/1706.03762v7"
    assert record.pdf_url == "https://arxiv.org/pdf/1706.03762v7"


def test_parse_collapses_whitespace_in_titles_and_abstracts():
    record = records_by_id(parse_feed(fixture("id_list_batch.xml")))["1611.03530v2"]

    assert (
        record.title == "Understanding deep learning requires rethinking generalization"
    )
    assert record.abstract.startswith("Despite their massive size,")
    assert "during training. Through extensive" in record.abstract


def test_parse_old_style_id_with_affiliations():
    record = records_by_id(parse_feed(fixture("id_list_batch.xml")))[
        "physics/0004057v1"
    ]

    assert (record.arxiv_id, record.version) == ("physics/0004057", 1)
    assert record.authors[1] == ArxivAuthor(
        "Fernando C. Pereira", ("AT&T Shannon Laboratory",)
    )
    assert record.journal_ref == (
        "Proceedings of the 37th Allerton Conference on Communication, Control "
        "and Computing, 1999, pp. 368-377"
    )
    assert record.categories == (
        "physics.data-an",
        "cond-mat.dis-nn",
        "cs.LG",
        "nlin.AO",
    )


def test_parse_2016_feed():
    feed = parse_feed(fixture("id_list_2016.xml"))
    records = records_by_id(feed)

    assert feed.total_results == 2
    survey = records["cs/9605103v1"]
    assert survey.arxiv_id == "cs/9605103"
    assert survey.title == "Reinforcement Learning: A Survey"
    assert survey.doi == "10.1613/jair.301"
    assert survey.journal_ref == (
        "Journal of Artificial Intelligence Research, Vol 4, (1996), 237-285"
    )
    assert survey.primary_category == "cs.AI"
    # The older generation declares the namespace on each element, the comment too.
    assert survey.comment == "See http://www.jair.org/ for any accompanying files"
    assert survey.abs_url == "http://arxiv.org/abs/cs/9605103v1"
    assert survey.pdf_url == "http://arxiv.org/pdf/cs/9605103v1"
    resnet = records["1512.03385v1"]
    assert resnet.title == "Deep Residual Learning for Image Recognition"
    assert [author.name for author in resnet.authors] == [
        "Kaiming He",
        "Xiangyu Zhang",
        "Shaoqing Ren",
        "Jian Sun",
    ]
    assert resnet.published == datetime(2015, 12, 10, 19, 51, 55, tzinfo=UTC)
    assert resnet.comment == "Tech report"


def test_parse_many_authors_with_non_ascii_names():
    (record,) = parse_feed(fixture("many_authors.xml")).records

    names = [author.name for author in record.authors]
    assert len(names) == 33
    assert names[:3] == ["Łukasz Kaiser", "Jürgen Schmidhuber", "Nicolò Cesa-Bianchi"]
    assert names[-2:] == ["Περικλής Ανδρέου", "王小明"]
    assert record.authors[1].affiliations == ("IDSIA", "KAUST")
    assert record.authors[17].affiliations == ("Mila", "Université de Montréal")
    assert record.title == "Open Problems in Machine Learning: A Community Survey"
    assert record.doi == "10.5555/ml.survey.2024"


def test_parse_title_zero_survives():
    (record,) = parse_feed(fixture("title_zero.xml")).records

    assert record.title == "0"
    assert record.comment is None


def test_parse_error_feed():
    feed = parse_feed(fixture("error_incorrect_id.xml"))

    assert feed.records == ()
    (error,) = feed.errors
    assert error.arxiv_id == "1234.1234v99"
    assert error.message == "incorrect id format for 1234.1234v99"


def test_parse_empty_feed():
    feed = parse_feed(fixture("empty.xml"))

    assert (feed.records, feed.errors, feed.total_results) == ((), (), 0)


@pytest.mark.parametrize(
    "body",
    [
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>",
        b"not xml at all",
        b"<html><body>Service unavailable</body></html>",
        b"",
    ],
)
def test_parse_malformed_raises(body):
    with pytest.raises(MalformedResponse):
        parse_feed(body)


# Client


def test_fetch_returns_records_per_requested_id(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture("id_list_batch.xml"), content_type=ATOM
    )

    results = make_client(httpserver, []).fetch(
        ["1706.03762", "arXiv:1611.03530v2", "physics/0004057"]
    )

    assert list(results) == ["1706.03762", "arXiv:1611.03530v2", "physics/0004057"]
    assert all(isinstance(result, ArxivRecord) for result in results.values())
    assert results["arXiv:1611.03530v2"].version == 2
    (request, _) = httpserver.log[0]
    assert request.args["id_list"] == "1706.03762,1611.03530v2,physics/0004057"
    assert request.args["max_results"] == "3"
    assert request.args["start"] == "0"
    assert request.headers["User-Agent"] == "shortscience-tests/1.0"


def test_fetch_marks_unknown_ids_not_found_without_failing_the_batch(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture("id_list_batch.xml"), content_type=ATOM
    )

    results = make_client(httpserver, []).fetch(["1706.03762", "1706.99999"])

    assert results["1706.03762"].title == "Attention Is All You Need"
    assert isinstance(results["1706.99999"], NotFound)
    assert str(results["1706.99999"]) == "1706.99999 not found on arXiv"


def test_fetch_one_on_an_empty_feed_raises_not_found(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture("empty.xml"), content_type=ATOM
    )

    with pytest.raises(NotFound, match="1706.99999 not found on arXiv"):
        make_client(httpserver, []).fetch_one("1706.99999")


def test_fetch_rejects_malformed_ids_without_a_request(httpserver):
    results = make_client(httpserver, []).fetch(["1234.1234v99"])

    assert isinstance(results["1234.1234v99"], PermanentSourceError)
    assert httpserver.log == []


def test_fetch_400_error_entry_names_the_rejected_id(httpserver):
    rejection = fixture("error_incorrect_id.xml").replace(
        b"1234.1234v99", b"2912.00001"
    )
    httpserver.expect_ordered_request("/api/query").respond_with_data(
        rejection, status=400, content_type=ATOM
    )
    httpserver.expect_ordered_request("/api/query").respond_with_data(
        fixture("id_list_batch.xml"), content_type=ATOM
    )
    sleeps = []

    results = make_client(httpserver, sleeps).fetch(["1706.03762", "2912.00001"])

    rejected = results["2912.00001"]
    assert type(rejected) is PermanentSourceError
    assert str(rejected) == (
        "arXiv rejected the id 2912.00001: incorrect id format for 2912.00001"
    )
    assert results["1706.03762"].title == "Attention Is All You Need"
    assert [request.args["id_list"] for request, _ in httpserver.log] == [
        "1706.03762,2912.00001",
        "1706.03762",
    ]
    assert sleeps == []


def test_fetch_one_400_raises_permanent_error(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture("error_incorrect_id.xml"), status=400, content_type=ATOM
    )

    with pytest.raises(PermanentSourceError) as excinfo:
        make_client(httpserver, []).fetch_one("2912.00001")

    assert str(excinfo.value) == (
        "arXiv rejected the id 2912.00001: incorrect id format for 1234.1234v99"
    )
    assert excinfo.value.status == 400


def test_fetch_batches_ids_100_at_a_time(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture("empty.xml"), content_type=ATOM
    )
    ids = [f"2001.{number:05d}" for number in range(1, 251)]
    throttled = []
    limiter = SimpleNamespace(wait=lambda: throttled.append(1))

    results = make_client(httpserver, [], rate_limiter=limiter).fetch(ids)

    requests = [request for request, _ in httpserver.log]
    assert [len(r.args["id_list"].split(",")) for r in requests] == [100, 100, 50]
    assert [r.args["max_results"] for r in requests] == ["100", "100", "50"]
    assert requests[0].args["id_list"].split(",") == ids[:100]
    assert requests[2].args["id_list"].split(",") == ids[200:]
    assert len(throttled) == 3
    assert len(results) == 250
    assert all(isinstance(result, NotFound) for result in results.values())


def test_fetch_sends_duplicate_ids_once(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture("id_list_batch.xml"), content_type=ATOM
    )

    results = make_client(httpserver, []).fetch(
        ["1706.03762", "1706.03762", "arXiv:1706.03762"]
    )

    assert list(results) == ["1706.03762", "arXiv:1706.03762"]
    (request, _) = httpserver.log[0]
    assert request.args["id_list"] == "1706.03762"


def test_fetch_retries_a_500_then_succeeds(httpserver):
    httpserver.expect_ordered_request("/api/query").respond_with_data(
        "Internal Server Error", status=500
    )
    httpserver.expect_ordered_request("/api/query").respond_with_data(
        fixture("id_list_batch.xml"), content_type=ATOM
    )
    sleeps = []
    throttled = []
    limiter = SimpleNamespace(wait=lambda: throttled.append(1))

    record = make_client(httpserver, sleeps, rate_limiter=limiter).fetch_one(
        "1706.03762"
    )

    assert record.title == "Attention Is All You Need"
    assert sleeps == [1.0]
    assert len(throttled) == 2


def test_fetch_waits_for_retry_after_on_503(httpserver):
    httpserver.expect_ordered_request("/api/query").respond_with_data(
        "Service Unavailable", status=503, headers={"Retry-After": "5"}
    )
    httpserver.expect_ordered_request("/api/query").respond_with_data(
        fixture("id_list_batch.xml"), content_type=ATOM
    )
    sleeps = []

    record = make_client(httpserver, sleeps).fetch_one("1706.03762")

    assert record.version == 7
    assert sleeps == [5.0]


def test_fetch_stops_sending_batches_after_a_transient_error(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        "Service Unavailable", status=503
    )
    ids = [f"2001.{number:05d}" for number in range(1, 151)]
    sleeps = []

    results = make_client(httpserver, sleeps, max_attempts=2).fetch(ids)

    assert len(httpserver.log) == 2
    assert all(isinstance(result, TransientSourceError) for result in results.values())


def test_fetch_one_raises_malformed_response(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>",
        content_type=ATOM,
    )

    with pytest.raises(MalformedResponse):
        make_client(httpserver, []).fetch_one("1706.03762")


def test_fetch_is_rate_limited_between_requests(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture("empty.xml"), content_type=ATOM
    )
    sleeps = []
    clock = iter([0.0, 0.5, 1.0]).__next__
    limiter = LocalRateLimiter(3.0, clock=clock, sleep=sleeps.append)
    ids = [f"2001.{number:05d}" for number in range(1, 301)]

    make_client(httpserver, [], rate_limiter=limiter).fetch(ids)

    assert sleeps == [2.5, 5.0]


def test_search_title_quotes_the_phrase(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture("id_list_batch.xml"), content_type=ATOM
    )

    records = make_client(httpserver, []).search_title(
        ' Attention "Is" All\nYou  Need\\ ', max_results=5
    )

    assert records[0].versioned_id == "1706.03762v7"
    (request, _) = httpserver.log[0]
    assert request.args["search_query"] == 'ti:"Attention Is All You Need"'
    assert request.args["max_results"] == "5"


def test_search_title_with_nothing_to_search_sends_nothing(httpserver):
    assert make_client(httpserver, []).search_title(' " ') == []
    assert httpserver.log == []


def test_from_settings_reads_django_settings(settings):
    settings.ARXIV_API_URL = "http://arxiv.test/api/query"
    settings.HTTP_TIMEOUT = 4.5
    settings.HTTP_USER_AGENT = "shortscience-tests/2.0"
    settings.ARXIV_MIN_INTERVAL = 0.0
    settings.CELERY_BROKER_URL = ""

    client = arxiv_client()

    assert client.base_url == "http://arxiv.test/api/query"
    assert client.http.timeout == 4.5
    assert client.http.session.headers["User-Agent"] == "shortscience-tests/2.0"
    assert isinstance(client.http.throttle.__self__, LocalRateLimiter)


def test_entity_declarations_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>'
    )
    with pytest.raises(MalformedResponse):
        parse_feed(bomb)
