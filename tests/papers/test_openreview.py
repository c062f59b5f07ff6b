"""Venue-years from OpenReview: client, import, command, staff page, pages, sync.

No recorded OpenReview answer exists: the replayed notes (tests/fixtures/openreview/) are
constructed from OpenReview's own OpenAPI description of API 2 (the `GET /notes`
parameters, its `{"count", "notes"}` answer and the `Note` schema) and from the official
Python client's code (how API 1 and API 2 notes, `content.venue`, `content.venueid`,
`.../Rejected_Submission`, `.../Withdrawn_Submission` and API 1 decision replies look). They
are not OpenReview's records; see that folder's README.
"""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from papers import services
from papers.models import Paper, Venue, VenueSync
from papers.sources.clients import openreview_client
from papers.sources.http import TransientSourceError
from shortscience.identifiers import normalise_title
from tests.factories import PaperFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db

ICLR_2024 = "ICLR.cc/2024/Conference"


def iclr():
    return Venue.objects.get(slug="iclr")


def test_client_pages_accepted_submissions_with_their_decisions(openreview_replay):
    client = openreview_client(page_size=2, sleep=lambda _: None)

    pages = list(client.submissions(ICLR_2024))

    assert [len(p) for p in pages] == [2, 2]
    decisions = [(r.forum_id, r.decision) for page in pages for r in page]
    assert decisions == [
        ("Or1AaAa0001", "oral"),
        ("Sp1BbBb0002", "spotlight"),
        ("Po1CcCc0003", "poster"),
        ("Po1DdDd0004", "poster"),
    ]
    paths = [(path, args["offset"]) for path, args in openreview_replay.requests]
    assert paths == [("/notes", "0"), ("/notes", "2"), ("/notes", "4")]
    assert openreview_replay.requests[0][1]["content.venueid"] == ICLR_2024
    assert pages[0][0].forum_url == "https://openreview.net/forum?id=Or1AaAa0001"
    assert pages[0][0].authors == ("Ada Lovelace", "Alan Turing")


def test_client_retries_an_unavailable_api(openreview_replay):
    openreview_replay.fail_next = [(503, {"Retry-After": "0"})] * 4
    client = openreview_client(sleep=lambda _: None)

    with pytest.raises(TransientSourceError):
        list(client.submissions(ICLR_2024))
    assert len(openreview_replay.requests) == 4


def test_import_stores_accepted_papers_and_merges_the_arxiv_version(
    openreview_replay, client
):
    title = "Attention Is What The Arxiv Version Also Says"
    preprint = PaperFactory(
        title=title,
        title_key=normalise_title(title),
        venue=Venue.objects.get(slug="arxiv"),
        authors=["Noam Shazeer"],
    )

    report = services.venue_import_openreview(venue=iclr(), year=2024)

    assert (report.found, report.created, report.matched, report.left_out) == (
        4,
        3,
        1,
        0,
    )
    assert dict(report.decisions) == {"oral": 1, "spotlight": 1, "poster": 2}
    assert Paper.objects.count() == 4
    preprint.refresh_from_db()
    assert (preprint.venue, preprint.year, preprint.decision) == (
        iclr(),
        2024,
        "poster",
    )
    assert preprint.openreview_id == "Po1DdDd0004"
    assert preprint.arxiv_id  # the arXiv identity stays
    assert not Paper.objects.filter(title__startswith="Constructed Rejected").exists()
    run = VenueSync.objects.get()
    assert (run.source, run.key, run.created, run.periodic) == (
        "openreview",
        ICLR_2024,
        3,
        False,
    )

    oral = Paper.objects.get(openreview_id="Or1AaAa0001")
    html = client.get(oral.get_absolute_url()).content.decode()
    assert "Decision: Oral" in html
    assert 'href="https://openreview.net/forum?id=Or1AaAa0001"' in html

    again = services.venue_import_openreview(venue=iclr(), year=2024)
    assert (again.created, again.matched, Paper.objects.count()) == (0, 0, 4)


def test_rejected_papers_only_when_asked_and_outside_the_venue_list(
    openreview_replay, client
):
    report = services.venue_import_openreview(
        venue=iclr(), year=2024, include_rejected=True
    )

    assert report.stored == 7
    rejected = Paper.objects.get(openreview_id="Rj1EeEe0005")
    assert (rejected.decision, rejected.venue) == ("rejected", None)
    assert Paper.objects.get(openreview_id="Wd1FfFf0006").decision == "withdrawn"
    assert Paper.objects.get(openreview_id="Dr1GgGg0007").decision == "desk_rejected"
    html = client.get(
        reverse("papers:venue-year", args=["iclr", 2024])
    ).content.decode()
    assert html.count('class="paper-row') == 4
    assert "Constructed Rejected Paper" not in html
    args = openreview_replay.requests[0][1]
    assert args["invitation"] == f"{ICLR_2024}/-/Submission"


def test_old_years_fall_back_to_api_1_and_match_dblp_records(
    openreview_replay, dblp_replay
):
    services.venue_import(key="conf/iclr", year=2017, link_arxiv=False)

    report = services.venue_import_openreview(venue=iclr(), year=2017)

    assert report.api == 1
    assert (report.found, report.created, report.matched, report.left_out) == (
        4,
        0,
        0,  # dblp's links named these forums already
        1,
    )
    assert Paper.objects.count() == 198  # no twins of dblp's papers
    paper = Paper.objects.get(openreview_id="S1dIzvclg")
    assert (paper.dblp_key, paper.decision) == ("conf/iclr/0001B17", "oral")
    assert Paper.objects.get(openreview_id="HyM25Mqel").decision == "poster"
    assert [p for p, _ in openreview_replay.requests] == ["/notes", "/v1/notes"]


def test_venue_year_filters_by_decision_and_venue_index_shows_coverage(
    openreview_replay, client
):
    services.venue_import_openreview(venue=iclr(), year=2024)
    SummaryFactory(paper=Paper.objects.get(openreview_id="Or1AaAa0001"))
    services.venues_recount()  # the factory writes around the services
    url = reverse("papers:venue-year", args=["iclr", 2024])

    html = client.get(url).content.decode()
    assert "Poster <span" in html and "Oral <span" in html
    posters = client.get(url, {"decision": "poster"}).content.decode()
    assert posters.count('class="paper-row') == 2
    assert "Constructed Poster Paper" in posters and "Constructed Oral" not in posters

    index = client.get(reverse("papers:venue-list")).content.decode()
    assert f'<a href="{url}">2024</a>: 1 of 4' in index, (
        "the venue index shows coverage per year"
    )


def test_command_imports_and_refuses_a_venue_without_an_id(openreview_replay, capsys):
    call_command("import_openreview", "iclr", "2024", "--include-rejected")

    out = capsys.readouterr().out
    assert f"{ICLR_2024} (OpenReview API 2): 7 submissions, 7 stored" in out
    assert Paper.objects.filter(decision="rejected").count() == 1
    with pytest.raises(CommandError, match="has no OpenReview id"):
        call_command("import_openreview", "cvpr", "2024")


def test_staff_queue_an_openreview_import_and_see_the_runs(
    client, openreview_replay, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(is_staff=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("papers:venue-import-openreview"),
            {"venue": iclr().pk, "year": "2024"},
        )
    page = client.get(response["Location"]).content.decode()

    assert "The import of ICLR 2024 from OpenReview" in page
    assert Paper.objects.filter(venue=iclr(), year=2024).count() == 4
    assert "Recent imports and syncs" in page
    assert "4 submissions, 4 stored (1 oral, 2 poster, 1 spotlight), 4 new" in page
    bad = client.post(reverse("papers:venue-import-openreview"), {"year": "2024"})
    assert bad.status_code == 400


def test_daily_sync_reports_what_changed(openreview_replay, dblp_replay, settings):
    from papers.tasks import sync_venues

    settings.DBLP_SYNC_VENUES = []
    settings.OPENREVIEW_SYNC_VENUES = ["iclr"]

    reports = services.openreview_sync(slugs=["iclr"], today=dt.date(2024, 6, 1))
    assert [(r.year, r.created) for r in reports] == [(2023, 0), (2024, 4)]
    assert VenueSync.objects.filter(periodic=True).count() == 2

    summaries = sync_venues()  # this year and last: nothing listed for them
    assert len(summaries) == 2
