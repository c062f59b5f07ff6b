from datetime import date

import pytest

from papers import services
from papers.models import ArxivHarvest, Paper
from tests.factories import PaperFactory, SummaryFactory

pytestmark = pytest.mark.django_db

TODAY = date(2015, 1, 18)
CS_LG = ["1101.4388", "1207.1019", "1501.03302", "1501.03796"]


def harvest(**kwargs):
    return services.arxiv_harvest(categories=["cs.LG"], today=TODAY, **kwargs)


def test_harvest_brings_new_papers_of_the_configured_categories(oai_replay):
    [report] = harvest()

    assert report.complete
    assert (report.pages, report.seen, report.kept, report.created) == (3, 46, 4, 4)
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == CS_LG
    paper = Paper.objects.get(arxiv_id="1101.4388")
    assert paper.venue.slug == "arxiv"
    assert paper.published_on == date(2011, 1, 23)
    assert paper.arxiv_comment == "28 pages, an extra section was added"
    assert [a.author.name for a in paper.authorships.select_related("author")] == [
        "Guohui Song",
        "Haizhang Zhang",
        "Fred J. Hickernell",
    ]
    state = ArxivHarvest.objects.get(set_spec="cs")
    assert state.harvested_until == TODAY
    assert state.resumption_token == ""
    # The first run reaches back one day.
    assert oai_replay.requests[0]["from"] == "2015-01-17"


def test_next_run_starts_where_the_last_complete_one_ended(oai_replay):
    harvest()
    oai_replay.requests.clear()

    [report] = services.arxiv_harvest(categories=["cs.LG"], today=date(2015, 1, 19))

    assert oai_replay.requests[0]["from"] == "2015-01-18"
    assert oai_replay.requests[0]["until"] == "2015-01-19"
    assert report.created == 0
    assert Paper.objects.count() == 4


def test_harvest_resumes_after_a_failure_from_its_saved_token(
    oai_replay, recorded_sleeps
):
    # Page 1 arrives, then arXiv stays busy through every attempt at page 2.
    oai_replay.busy_requests = {2, 3, 4, 5}

    [first] = harvest()
    assert first.error
    assert not first.complete
    state = ArxivHarvest.objects.get(set_spec="cs")
    assert state.resumption_token == "6965856|21"
    assert state.harvested_until is None
    assert Paper.objects.count() == 3  # page 1's cs.LG papers are kept

    [second] = harvest()

    assert second.complete
    assert oai_replay.requests[-2] == {
        "verb": "ListRecords",
        "resumptionToken": "6965856|21",
    }
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == CS_LG
    assert ArxivHarvest.objects.get(set_spec="cs").harvested_until == TODAY


def test_new_version_reaches_summaries_pinned_to_the_old_one(
    client, oai_replay, arxiv_replay
):
    paper = PaperFactory(arxiv_id="1611.03530", arxiv_version=1)
    summary = SummaryFactory(paper=paper, arxiv_version=1)
    # A record in the recorded format, for the summarised paper, updated lately.
    oai_replay.records[1] = oai_replay.record_like(
        1, "1611.03530", updated="2015-01-16", categories="cs.LG stat.ML"
    )

    [report] = harvest()

    paper.refresh_from_db()
    assert paper.arxiv_version == 2
    assert report.new_versions == 1
    summary.refresh_from_db()
    assert summary.arxiv_version == 1
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Written for v1; the paper is now at" in html


def test_summarised_paper_read_after_its_last_update_is_not_fetched_again(
    oai_replay, arxiv_replay
):
    from django.utils import timezone

    paper = PaperFactory(arxiv_id="1611.03530", arxiv_version=2)
    Paper.objects.filter(pk=paper.pk).update(arxiv_checked_at=timezone.now())
    SummaryFactory(paper=paper, arxiv_version=2)
    oai_replay.records[1] = oai_replay.record_like(
        1, "1611.03530", updated="2015-01-16", categories="cs.LG"
    )

    [report] = harvest()

    assert report.new_versions == 0
    assert arxiv_replay.requests == []
