from pathlib import Path

import pytest

from papers.sources.clients import orcid_client
from papers.sources.http import MalformedResponse, NotFound, TransientSourceError
from papers.sources.orcid import arxiv_key, parse_works

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "orcid"


def test_a_recorded_works_list_gives_every_doi():
    works = parse_works(
        (FIXTURES / "works_0000-0001-8607-8025.json").read_bytes(),
        orcid="0000-0001-8607-8025",
    )

    assert works.count == 74
    assert "10.7557/19.5311" in works.dois
    assert all(doi == doi.lower() for doi in works.dois)
    assert not works.arxiv_ids


def test_an_empty_record_has_no_works():
    works = parse_works(
        (FIXTURES / "works_0000-0003-1620-1408.json").read_bytes(), orcid="x"
    )

    assert works.count == 0
    assert not works.dois


def test_the_xml_form_gives_arxiv_ids_too():
    # ORCID's published v3.0 sample: the only one at hand with an arXiv identifier.
    works = parse_works(
        (FIXTURES / "works_sample_8888-8888-8888-8880.xml").read_bytes(), orcid="x"
    )

    assert works.arxiv_ids == {"123456"}
    assert works.count == 3


def test_arxiv_ids_compare_without_version_or_prefix():
    assert arxiv_key("arXiv:2003.08934v2") == arxiv_key("2003.08934") == "2003.08934"


@pytest.mark.parametrize("body", [b"{not json", b"<works", b'{"group": null}'])
def test_a_broken_answer_is_malformed(body):
    with pytest.raises(MalformedResponse):
        parse_works(body, orcid="x")


def test_the_client_reads_works_from_the_replay(orcid_replay):
    works = orcid_client().works("0000-0001-8607-8025")

    assert "10.7557/19.5311" in works.dois
    assert orcid_replay.requests == ["/v3.0/0000-0001-8607-8025/works"]


def test_an_unknown_record_is_not_found(orcid_replay):
    with pytest.raises(NotFound, match="ORCID record 0000-0002-1825-0097"):
        orcid_client().works("0000-0002-1825-0097")


def test_an_outage_is_transient_after_backing_off(orcid_replay, recorded_sleeps):
    orcid_replay.down = True

    with pytest.raises(TransientSourceError):
        orcid_client().works("0000-0001-8607-8025")
    assert recorded_sleeps == [1.0, 2.0, 4.0]
