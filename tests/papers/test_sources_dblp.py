from pathlib import Path

import pytest

from papers.sources.clients import dblp_client
from papers.sources.dblp import parse_toc_bibtex, toc_name
from papers.sources.http import TransientSourceError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dblp"
ICLR_2017 = "db/conf/iclr/iclr2017.bht"


def read(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


# Parser


def test_parse_whole_volume_skips_the_volume_record():
    page = parse_toc_bibtex(read("toc_conf_iclr_iclr2017.bib"))

    assert page.entry_count == 199
    assert len(page.records) == 198
    assert all(record.entrytype == "inproceedings" for record in page.records)
    assert "conf/iclr/2017" not in {record.key for record in page.records}


def test_parse_record_fields():
    page = parse_toc_bibtex(read("toc_conf_iclr_iclr2017.bib"))
    record = next(r for r in page.records if r.key == "conf/iclr/ZhangBHRV17")

    assert (
        record.title == "Understanding deep learning requires rethinking generalization"
    )
    assert record.authors == (
        "Chiyuan Zhang",
        "Samy Bengio",
        "Moritz Hardt",
        "Benjamin Recht",
        "Oriol Vinyals",
    )
    assert record.year == 2017
    assert record.venue_key == "conf/iclr"
    assert record.links == ("https://openreview.net/forum?id=Sy8gdB9xx",)
    assert record.doi is None


def test_parse_journal_records_with_doi_links():
    page = parse_toc_bibtex(read("ley.bib"))
    record = next(r for r in page.records if r.doi == "10.1109/jcdl.2017.7991609")

    assert record.key.startswith(("conf/", "journals/"))
    assert "https://doi.org/10.1109/jcdl.2017.7991609" in record.links


def test_empty_answer_is_an_empty_page():
    page = parse_toc_bibtex("")

    assert page.records == ()
    assert page.entry_count == 0


@pytest.mark.parametrize(
    ("key", "year", "toc"),
    [
        ("conf/nips", 2017, "db/conf/nips/nips2017.bht"),
        ("conf/nips", 2020, "db/conf/nips/neurips2020.bht"),
        ("conf/iclr", 2019, "db/conf/iclr/iclr2019.bht"),
        ("journals/jmlr", 2014, "db/journals/jmlr/jmlr15.bht"),
    ],
)
def test_toc_name(key, year, toc):
    assert toc_name(key, year) == toc


# Client against the replay server


def test_client_pages_through_a_volume(dblp_replay):
    client = dblp_client(page_size=50)

    pages = list(client.toc(ICLR_2017))

    # The volume's own record is the last entry and is not a paper.
    assert [len(page) for page in pages] == [50, 50, 50, 48]
    assert [r["f"] for r in dblp_replay.requests] == ["0", "50", "100", "150"]
    assert {r["q"] for r in dblp_replay.requests} == {f"toc:{ICLR_2017}:"}
    assert {r["format"] for r in dblp_replay.requests} == {"bib"}
    keys = [record.key for page in pages for record in page]
    assert len(keys) == len(set(keys)) == 198


def test_client_stops_on_an_exactly_full_last_page(dblp_replay):
    entries = dblp_replay.tocs[ICLR_2017][:100]
    dblp_replay.add("db/conf/test/test2017.bht", entries)
    client = dblp_client(page_size=50)

    pages = list(client.toc("db/conf/test/test2017.bht"))

    assert sum(len(page) for page in pages) == 100
    # The third request answers with nothing and ends the listing.
    assert [r["f"] for r in dblp_replay.requests] == ["0", "50", "100"]


def test_client_waits_as_asked_on_429(dblp_replay, recorded_sleeps):
    dblp_replay.fail_next = [(429, {"Retry-After": "7"})]
    client = dblp_client()

    pages = list(client.toc(ICLR_2017))

    assert sum(len(page) for page in pages) == 198
    assert recorded_sleeps == [7.0]


def test_client_gives_up_when_dblp_stays_unavailable(dblp_replay, recorded_sleeps):
    dblp_replay.fail_next = [(503, {})] * 4
    client = dblp_client()

    with pytest.raises(TransientSourceError):
        list(client.toc(ICLR_2017))
    assert recorded_sleeps == [1.0, 2.0, 4.0]
