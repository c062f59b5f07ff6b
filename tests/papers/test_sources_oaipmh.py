from datetime import date
from pathlib import Path

import pytest

from papers.sources.clients import oai_client
from papers.sources.http import TransientSourceError
from papers.sources.oaipmh import parse_list_records

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "oai"


def test_parse_recorded_page():
    page = parse_list_records((FIXTURES / "listrecords_arxiv_cs.xml").read_bytes())

    assert len(page.records) == 46
    assert page.resumption_token is None
    first = page.records[0]
    assert first.arxiv_id == "1101.4388"
    assert first.datestamp == date(2015, 1, 16)
    assert first.created == date(2011, 1, 23)
    assert first.updated == date(2012, 3, 28)
    assert first.title == "Reproducing Kernel Banach Spaces with the l1 Norm"
    assert first.authors == ("Guohui Song", "Haizhang Zhang", "Fred J. Hickernell")
    assert first.categories == ("stat.ML", "cs.LG", "math.FA")
    assert first.doi == "10.1016/j.acha.2012.03.009"
    assert first.journal_ref == "Appl. Comput. Harmon. Anal., 34:96-116, 2013"
    assert first.abstract.startswith("Targeting at sparse learning, we construct")
    assert "\n" not in first.abstract
    assert first.comment == "28 pages, an extra section was added"
    by_id = {record.arxiv_id: record for record in page.records}
    assert by_id["1306.1076"].comment is None  # a record without <comments>
    assert by_id["1308.3822"].comment.startswith(
        "This version of the paper is a streamlined presentation that includes"
    )
    assert "\n" not in by_id["1308.3822"].comment


def test_no_records_match_is_an_empty_complete_list():
    page = parse_list_records((FIXTURES / "no_records_match.xml").read_bytes())

    assert page.records == ()
    assert page.resumption_token is None


def test_client_pages_with_resumption_tokens(oai_replay):
    client = oai_client()

    first = client.list_records(
        set_spec="cs", from_date=date(2015, 1, 16), until=date(2015, 1, 18)
    )
    second = client.list_records(token=first.resumption_token)

    assert first.resumption_token == "6965856|21"
    assert first.complete_list_size == 46
    assert [r.arxiv_id for r in second.records][0] == oai_replay.records[20].split(
        "<id>"
    )[1].split("</id>")[0]
    assert oai_replay.requests == [
        {
            "verb": "ListRecords",
            "metadataPrefix": "arXiv",
            "set": "cs",
            "from": "2015-01-16",
            "until": "2015-01-18",
        },
        {"verb": "ListRecords", "resumptionToken": "6965856|21"},
    ]


def test_client_honours_retry_after(oai_replay, recorded_sleeps):
    oai_replay.fail_next = [oai_replay.busy]

    page = oai_client().list_records(set_spec="cs")

    assert len(page.records) == 20
    assert recorded_sleeps == [10.0]


def test_client_gives_up_when_arxiv_stays_busy(oai_replay, recorded_sleeps):
    oai_replay.fail_next = [oai_replay.busy] * 4

    with pytest.raises(TransientSourceError) as excinfo:
        oai_client().list_records(set_spec="cs")
    assert excinfo.value.retry_after == 10.0
