import pytest
from django.core.management import CommandError, call_command

from papers import services
from papers.models import Authorship, Paper, Venue
from papers.sources.clients import arxiv_client

pytestmark = pytest.mark.django_db

ZHANG = "conf/iclr/ZhangBHRV17"


def iclr_2017(**kwargs):
    return services.venue_import(key="conf/iclr", year=2017, **kwargs)


def test_import_brings_every_paper_of_the_volume(dblp_replay, arxiv_replay):
    report = iclr_2017()

    iclr = Venue.objects.get(slug="iclr")
    assert report.found == 198
    assert report.created == 198
    assert Paper.objects.filter(venue=iclr, year=2017).count() == 198
    assert Paper.objects.exclude(dblp_key="").count() == 198
    paper = Paper.objects.get(dblp_key=ZHANG)
    assert paper.source == Paper.Source.DBLP
    assert paper.links == ["https://openreview.net/forum?id=Sy8gdB9xx"]
    assert list(
        Authorship.objects.filter(paper=paper).values_list("author__name", flat=True)
    ) == [
        "Chiyuan Zhang",
        "Samy Bengio",
        "Moritz Hardt",
        "Benjamin Recht",
        "Oriol Vinyals",
    ]


def test_import_links_the_arxiv_version_by_title_and_first_author(
    dblp_replay, arxiv_replay
):
    report = iclr_2017()

    paper = Paper.objects.get(dblp_key=ZHANG)
    assert paper.arxiv_id == "1611.03530"
    assert paper.arxiv_version == 2
    # The arXiv record brings its text but the paper stays an ICLR 2017 paper.
    assert paper.venue.slug == "iclr"
    assert paper.year == 2017
    assert report.linked == 1
    assert report.without_arxiv == 197
    # Ten titles per request: 198 papers take 20 requests.
    searches = [r for r in arxiv_replay.requests if "search_query" in r]
    assert len(searches) == 20
    assert searches[0]["search_query"].count(" OR ") == 9


def test_import_merges_with_the_paper_already_here(dblp_replay, arxiv_replay):
    services.paper_upsert(
        services.data_from_arxiv(arxiv_client().fetch_one("1611.03530"))
    )
    before = Paper.objects.get(arxiv_id="1611.03530")

    report = iclr_2017(link_arxiv=False)

    assert report.created == 197
    assert report.gained_key == 1
    paper = Paper.objects.get(dblp_key=ZHANG)
    assert paper.pk == before.pk
    assert paper.venue.slug == "iclr"
    assert Paper.objects.filter(title_key=before.title_key).count() == 1


def test_rerun_is_idempotent_and_fills_gaps(dblp_replay, arxiv_replay):
    iclr_2017(link_arxiv=False)
    paper = Paper.objects.get(dblp_key=ZHANG)
    Paper.objects.filter(pk=paper.pk).update(links=[], url="")
    Authorship.objects.filter(paper=paper).delete()

    report = iclr_2017()

    assert report.created == 0
    assert report.gained_key == 0
    assert Paper.objects.count() == 198
    paper.refresh_from_db()
    assert paper.links == ["https://openreview.net/forum?id=Sy8gdB9xx"]
    assert paper.url == "https://openreview.net/forum?id=Sy8gdB9xx"
    assert paper.authorships.count() == 5
    assert paper.arxiv_id == "1611.03530"

    again = iclr_2017()

    assert (again.created, again.gained_key, again.linked) == (0, 0, 0)
    assert Paper.objects.count() == 198


def test_arxiv_version_already_on_another_paper_is_not_taken(dblp_replay, arxiv_replay):
    other = services.paper_upsert(
        services.data_from_arxiv(arxiv_client().fetch_one("1611.03530"))
    )[0]
    # Under another title here, the arXiv paper is not recognised by dblp's record.
    Paper.objects.filter(pk=other.pk).update(title_key="something else")
    iclr_2017(link_arxiv=False)

    report = iclr_2017()

    assert report.linked == 0
    assert Paper.objects.get(dblp_key=ZHANG).arxiv_id == ""
    assert Paper.objects.get(pk=other.pk).dblp_key == ""


def test_unknown_venue_key_gets_a_venue(dblp_replay, arxiv_replay):
    entries = dblp_replay.tocs["db/conf/iclr/iclr2017.bht"][:3]
    dblp_replay.add(
        "db/conf/newconf/newconf2017.bht",
        [e.replace("conf/iclr/", "conf/newconf/") for e in entries],
    )

    report = services.venue_import(key="conf/newconf", year=2017, link_arxiv=False)

    venue = Venue.objects.get(aliases__alias="conf/newconf")
    assert report.created == 3
    assert Paper.objects.filter(venue=venue, year=2017).count() == 3


def test_sync_reports_changes(dblp_replay, arxiv_replay):
    import datetime as dt

    reports = services.venues_sync(keys=["conf/iclr"], today=dt.date(2018, 3, 1))

    assert [(r.year, r.created) for r in reports] == [(2017, 198), (2018, 0)]
    assert reports[0].changed
    assert not reports[1].changed
    assert "conf/iclr 2017: 198 papers on dblp, 198 new" in reports[0].summary()


def test_command_prints_the_report(dblp_replay, arxiv_replay, capsys):
    call_command("import_venue", "conf/iclr", "2017", "--no-arxiv")

    out = capsys.readouterr().out
    assert "conf/iclr 2017: 198 papers on dblp, 198 new" in out
    assert Paper.objects.count() == 198


def test_command_refuses_an_empty_listing(dblp_replay):
    with pytest.raises(CommandError, match="db/conf/nips/nips2017.bht"):
        call_command("import_venue", "conf/nips", "2017", "--no-arxiv")
    assert Paper.objects.count() == 0
