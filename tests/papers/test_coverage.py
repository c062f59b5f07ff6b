"""A venue-year's coverage counts are stored, recounted by the writes that change them."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from papers import selectors
from papers.models import Paper, VenueYearCount
from papers.services import (
    PaperData,
    paper_save_from_admin,
    paper_upsert,
    venue_counts_store,
    venues_recount,
)
from shortscience.cache import cache_version
from shortscience.settings.base import CELERY_BEAT_SCHEDULE
from summaries import services as summary_services
from tests.factories import PaperFactory, SummaryFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _year(venue, year):
    return next(y for y in selectors.venue_years(venue=venue) if y["year"] == year)


def test_publishing_and_deleting_a_summary_recounts_its_venue_year():
    venue = VenueFactory()
    paper = PaperFactory(venue=venue, year=2019)
    PaperFactory(venue=venue, year=2019)
    PaperFactory(venue=venue, year=2018)
    assert _year(venue, 2019) == {
        "year": 2019,
        "paper_count": 2,
        "summarised_count": 0,
        "decisions": {},
    }
    summary = summary_services.summary_save(
        paper=paper, writer=UserFactory(), body="Short and *clear*.", publish=True
    )
    assert _year(venue, 2019)["summarised_count"] == 1
    assert _year(venue, 2018)["summarised_count"] == 0
    summary_services.summary_delete(summary=summary)
    assert _year(venue, 2019)["summarised_count"] == 0


def test_an_import_recounts_the_venue_years_it_adds_to():
    venue = VenueFactory()
    PaperFactory(venue=venue, year=2020)
    venues_recount()
    paper_upsert(
        PaperData(
            title="Counting made cheap", source="dblp", year=2020, venue_pk=venue.pk
        )
    )
    paper_upsert(
        PaperData(title="An older one", source="dblp", year=2016, venue_pk=venue.pk)
    )
    assert [
        (y["year"], y["paper_count"]) for y in selectors.venue_years(venue=venue)
    ] == [
        (2020, 2),
        (2016, 1),
    ]


def test_a_staff_edit_recounts_the_venue_year_a_paper_left_and_the_one_it_joined():
    old, new = VenueFactory(), VenueFactory()
    paper = PaperFactory(venue=old, year=2017)
    PaperFactory(venue=old, year=2017)
    venues_recount()
    Paper.objects.filter(pk=paper.pk).update(venue=new, year=2018)
    paper.refresh_from_db()
    paper_save_from_admin(paper=paper, was=(old.pk, 2017))
    assert _year(old, 2017)["paper_count"] == 1
    assert _year(new, 2018)["paper_count"] == 1


def test_the_admin_form_passes_the_venue_year_before_the_edit(admin_client):
    old, new = VenueFactory(), VenueFactory()
    paper = PaperFactory(venue=old, year=2017, authors=[])
    venues_recount()
    url = reverse("admin:papers_paper_change", args=[paper.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data |= {
        "venue": new.pk,
        "year": 2018,
        "links": "[]",
        "authorships-TOTAL_FORMS": 0,
        "authorships-INITIAL_FORMS": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert selectors.venue_years(venue=old) == []
    assert _year(new, 2018)["paper_count"] == 1


def test_a_recount_that_changes_nothing_leaves_the_venue_pages_alone():
    venue = VenueFactory()
    SummaryFactory(paper=PaperFactory(venue=venue, year=2021))
    assert venue_counts_store(venue_id=venue.pk) is True
    version = cache_version("venue-papers", venue.pk)
    assert venue_counts_store(venue_id=venue.pk) is False
    assert venue_counts_store(venue_id=venue.pk, years=[2021]) is False
    assert cache_version("venue-papers", venue.pk) == version


def test_the_hourly_recount_takes_in_writes_made_around_the_services():
    venue, other = VenueFactory(), VenueFactory()
    PaperFactory(venue=venue, year=2022)
    PaperFactory(venue=other, year=2022)
    assert venues_recount() == 2
    version = cache_version("venue-papers", venue.pk)
    SummaryFactory(paper=PaperFactory(venue=venue, year=2022))  # no service called
    assert _year(venue, 2022)["paper_count"] == 1  # stored, not counted
    assert venues_recount() == 1  # only the venue that drifted
    assert _year(venue, 2022) == {
        "year": 2022,
        "paper_count": 2,
        "summarised_count": 1,
        "decisions": {},
    }
    assert cache_version("venue-papers", venue.pk) != version
    assert (
        CELERY_BEAT_SCHEDULE["every-hour-recount-venues"]["task"]
        == "papers.tasks.recount_venues"
    )


def test_a_venue_never_counted_is_counted_on_first_read():
    venue = VenueFactory()
    PaperFactory(venue=venue, year=2015, decision=Paper.Decision.ORAL)
    PaperFactory(venue=venue, year=2015, decision=Paper.Decision.POSTER)
    PaperFactory(venue=venue, year=None)  # undated papers are not counted
    VenueFactory()  # no papers: nothing to count, no rows
    assert not VenueYearCount.objects.exists()
    assert selectors.venue_years(venue=venue) == [
        {
            "year": 2015,
            "paper_count": 2,
            "summarised_count": 0,
            "decisions": {"oral": 1, "poster": 1},
        }
    ]
    assert VenueYearCount.objects.filter(venue=venue).count() == 2


def test_the_recount_command_reports_what_it_changed():
    PaperFactory(venue=VenueFactory(), year=2014)
    out = io.StringIO()
    call_command("recount_venues", stdout=out)
    assert out.getvalue() == "Venues whose counts changed: 1.\n"
    out = io.StringIO()
    call_command("recount_venues", stdout=out)
    assert out.getvalue() == "Venues whose counts changed: 0.\n"


def test_a_venue_year_written_around_the_services_is_counted_when_asked_for(client):
    venue = VenueFactory(slug="late")
    PaperFactory(venue=venue, year=2019)
    venues_recount()
    PaperFactory(venue=venue, year=2020, title="Loaded straight into the table")
    response = client.get(reverse("papers:venue-year", args=["late", 2020]))
    assert response.status_code == 200
    assert "Loaded straight into the table" in response.content.decode()
    assert _year(venue, 2020)["paper_count"] == 1
    assert (
        client.get(reverse("papers:venue-year", args=["late", 2021])).status_code == 404
    )
