import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.services import paper_save_from_admin, venues_recount
from tests.factories import KeywordFactory, PaperFactory, SummaryFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_venue_index_counts(client):
    venue = VenueFactory(
        short_name="ICLR", name="International Conference on Learning Representations"
    )
    paper = PaperFactory(venue=venue)
    PaperFactory(venue=venue)
    SummaryFactory(paper=paper)
    html = client.get(reverse("papers:venue-list")).content.decode()
    assert "ICLR" in html
    assert '<td class="num">2</td><td class="num">1</td>' in html


def test_venue_page_has_a_tab_per_year_newest_first(client):
    venue = VenueFactory(slug="iclr", short_name="ICLR")
    PaperFactory(venue=venue, year=2015)
    PaperFactory(venue=venue, year=2017, title="Newest paper")
    html = client.get(reverse("papers:venue-detail", args=["iclr"])).content.decode()
    assert html.index(">2017 <") < html.index(">2015 <")
    assert "Newest paper" in html


def test_venue_year_lists_all_papers_and_marks_wanted(client):
    venue = VenueFactory(slug="iclr", short_name="ICLR")
    covered = PaperFactory(venue=venue, year=2017, title="Covered paper")
    PaperFactory(venue=venue, year=2017, title="Uncovered paper")
    PaperFactory(venue=venue, year=2016, title="Other year")
    SummaryFactory(paper=covered)
    html = client.get(
        reverse("papers:venue-year", args=["iclr", 2017])
    ).content.decode()
    assert "Covered paper" in html and "Uncovered paper" in html
    assert "Other year" not in html
    assert "1 of 2 papers summarised" in html
    assert html.count("wanted: no summary yet") == 1


def test_venue_year_without_papers_is_404(client):
    VenueFactory(slug="iclr")
    PaperFactory(venue__slug="iclr", year=2017)
    assert (
        client.get(reverse("papers:venue-year", args=["iclr", 1999])).status_code == 404
    )


def test_venue_without_papers_has_empty_state(client):
    VenueFactory(slug="empty")
    html = client.get(reverse("papers:venue-detail", args=["empty"])).content.decode()
    assert "No papers from this venue yet" in html


def test_venue_year_query_count_is_fixed(client, django_assert_max_num_queries):
    venue = VenueFactory(slug="big")
    for _ in range(30):
        paper = PaperFactory(venue=venue, year=2020, authors=["A B", "C D", "E F"])
        SummaryFactory(paper=paper)
    venues_recount()  # the factories write around the services, as the hourly job finds
    # venue, stored counts, count, papers, authors, best summaries, and the most-wanted
    # list of the venue-year.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("papers:venue-year", args=["big", 2020]))
    assert response.content.decode().count('class="paper-row') == 30


@pytest.mark.parametrize("page", ["venue-year", "year", "keyword"])
def test_a_kept_page_of_rows_loads_no_paper_until_one_shown_changes(
    client_logged_in, django_assert_max_num_queries, page
):
    keyword = KeywordFactory(slug="kept")
    venue = VenueFactory(slug="kept")
    papers = [PaperFactory(venue=venue, year=2022, title=f"Kept {n}") for n in "ab"]
    for paper in papers:
        paper.keywords.add(keyword)
    SummaryFactory(paper=papers[0])
    venues_recount()
    path = {
        "venue-year": reverse("papers:venue-year", args=["kept", 2022]),
        "year": reverse("papers:year-detail", args=[2022]),
        "keyword": keyword.get_absolute_url(),
    }[page]
    first = client_logged_in.get(path).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client_logged_in.get(path).content.decode()

    assert again.count('class="paper-row') == first.count('class="paper-row') == 2
    assert not [q for q in queries if 'FROM "papers_authorship"' in q["sql"]]
    # A signed-out reader is served the same kept rows, past the page cache.
    assert Client().get(path).content.decode().count('class="paper-row') == 2
    papers[1].title = "Renamed at once"
    papers[1].save()
    paper_save_from_admin(paper=papers[1], was=(venue.pk, 2022))
    assert "Renamed at once" in client_logged_in.get(path).content.decode()
    added = PaperFactory(venue=venue, year=2022, title="Kept c")
    added.keywords.add(keyword)
    paper_save_from_admin(paper=added)
    assert "Kept c" in client_logged_in.get(path).content.decode()


def test_paper_rows_name_the_first_five_authors_in_order(client):
    venue = VenueFactory(slug="many-authors")
    PaperFactory(venue=venue, year=2020, authors=[f"Author {n}" for n in "ABCDEFG"])
    PaperFactory(venue=venue, year=2020, authors=["Solo Writer"])
    PaperFactory(venue=venue, year=2020, authors=["<b>Bold</b> & Co", "Plain Name"])
    venues_recount()

    html = client.get(reverse("papers:venue-year", args=["many-authors", 2020]))
    html = html.content.decode()
    assert "Author A, Author B, Author C, Author D, Author E, et al." in html
    assert "Author F" not in html
    assert "Solo Writer" in html
    # Names are escaped one by one, the separators are not.
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co, Plain Name" in html
    assert "<b>Bold</b>" not in html


def test_paper_rows_show_the_best_public_summarys_excerpt(client):
    keyword = KeywordFactory(name="attention", slug="attention")
    venue = VenueFactory(slug="nips", short_name="NIPS")
    paper = PaperFactory(venue=venue, year=2017, title="Attention paper")
    paper.keywords.add(keyword)
    SummaryFactory(paper=paper, body="A weaker take on *attention*.", score=1)
    best = SummaryFactory(paper=paper, body="The best take: $QK^T$ scaled.", score=5)
    SummaryFactory(paper=paper, body="Private words.", score=9, is_private=True)
    PaperFactory(venue=venue, year=2017, title="Unsummarised paper")
    pages = [
        reverse("papers:venue-year", args=["nips", 2017]),
        reverse("papers:year-detail", args=[2017]),
        keyword.get_absolute_url(),
    ]
    for path in pages:
        html = client.get(path).content.decode()
        assert "The best take:" in html, path
        assert 'class="katex"' in html, path  # math typeset, as stored at render time
        assert "weaker take" not in html and "Private words" not in html, path
        assert html.count('class="read-more"') == 1, path
        assert f'href="{best.get_absolute_url()}">read more' in html, path
        assert ": the summary of Attention paper" in html, path


@pytest.mark.parametrize("page", ["venue-year", "year", "keyword"])
def test_paper_list_query_count_is_fixed_with_excerpts(
    client, django_assert_max_num_queries, page
):
    keyword = KeywordFactory(slug="many")
    venue = VenueFactory(slug="many")
    for _ in range(20):
        paper = PaperFactory(venue=venue, year=2021, authors=["A B", "C D"])
        paper.keywords.add(keyword)
        SummaryFactory(paper=paper)
        SummaryFactory(paper=paper, score=3)
    venues_recount()  # the factories write around the services
    path = {
        "venue-year": reverse("papers:venue-year", args=["many", 2021]),
        "year": reverse("papers:year-detail", args=[2021]),
        "keyword": keyword.get_absolute_url(),
    }[page]
    # (venue, years | keyword), count, papers, authors, best summaries, most wanted.
    with django_assert_max_num_queries(7):
        response = client.get(path)
    assert response.content.decode().count('class="read-more"') == 20


def test_year_and_keyword_pages(client):
    keyword = KeywordFactory(name="optimization", slug="optimization")
    paper = PaperFactory(year=2015, title="Adam paper")
    paper.keywords.add(keyword)
    assert (
        "Adam paper"
        in client.get(reverse("papers:year-detail", args=[2015])).content.decode()
    )
    assert "Adam paper" in client.get(keyword.get_absolute_url()).content.decode()
    assert "2015" in client.get(reverse("papers:year-list")).content.decode()


def test_the_year_counts_are_kept_until_an_import_changes_them(client_logged_in):
    from papers.services import PaperData, paper_upsert

    PaperFactory(year=1999)
    path = reverse("papers:year-list")

    def shown(n):
        return f'1999</a> <span class="count">{n}</span>' in (
            client_logged_in.get(path).content.decode()
        )

    assert shown(1)
    # A paper written around the services is counted once the kept counts expire...
    PaperFactory(year=1999)
    assert shown(1)

    # ...an import at once.
    paper_upsert(
        PaperData(
            title="Imported in 1999",
            source="bibsonomy",
            authors=(("New Author", ""),),
            year=1999,
        )
    )
    assert shown(3)


@pytest.mark.parametrize("page", ["abc", "-3", "0", "", "1.5"])
def test_bad_page_numbers_fall_back_to_first_page(client, page):
    paper = PaperFactory(year=2015, title="The Only Paper Of 2015")
    response = client.get(reverse("papers:year-detail", args=[2015]), {"page": page})
    assert response.status_code == 200
    assert paper.title in response.content.decode()


def test_page_past_the_end_is_404(client):
    PaperFactory(year=2015)
    response = client.get(reverse("papers:year-detail", args=[2015]), {"page": 99})
    assert response.status_code == 404


def test_pagination_of_long_lists(client):
    venue = VenueFactory(slug="long")
    for _ in range(55):
        PaperFactory(venue=venue, year=2019)
    first = client.get(
        reverse("papers:venue-year", args=["long", 2019])
    ).content.decode()
    second = client.get(
        reverse("papers:venue-year", args=["long", 2019]), {"page": 2}
    ).content.decode()
    assert first.count('class="paper-row') == 50
    assert second.count('class="paper-row') == 5
    assert "Page 1 of 2" in first


def test_add_paper_needs_sign_in(client):
    response = client.get(reverse("papers:paper-add"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "garbage", ["2003.0893", "arXiv:foo", "hep-th/99", "https://arxiv.org/abs/"]
)
def test_add_paper_rejects_garbage_listing_accepted_forms(client_logged_in, garbage):
    response = client_logged_in.post(reverse("papers:paper-add"), {"q": garbage})
    assert response.status_code == 400
    html = response.content.decode()
    assert "hep-th/9901001" in html and "10.1038/nature14539" in html


def test_known_identifier_goes_straight_to_the_paper(client_logged_in):
    paper = PaperFactory(arxiv_id="1706.03762")
    response = client_logged_in.post(
        reverse("papers:paper-add"), {"q": "https://arxiv.org/pdf/1706.03762v2.pdf"}
    )
    assert (
        response.status_code == 302 and response["Location"] == paper.get_absolute_url()
    )


def test_unknown_identifier_imports_and_shows_status_then_paper(
    client_logged_in, arxiv_replay, django_capture_on_commit_callbacks
):
    confirm = client_logged_in.get(reverse("papers:paper-add"), {"q": "1706.03762"})
    assert "Import it" in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(
            reverse("papers:paper-add"), {"q": "1706.03762"}
        )
    status_url = response["Location"]
    assert status_url.startswith("/imports/")

    paper_page = client_logged_in.get(status_url, follow=True)
    html = paper_page.content.decode()
    assert "Attention Is All You Need" in html
    assert "Ashish Vaswani, Noam Shazeer" in html
    assert "via arXiv" in html


def test_import_status_polls_its_box_while_queued(client_logged_in):
    from papers.models import PaperImport

    paper_import = PaperImport.objects.create(identifier="1706.03762", source="arxiv")
    url = paper_import.get_absolute_url()
    html = client_logged_in.get(url).content.decode()
    assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    assert "Queued." in html and 'http-equiv="refresh"' not in html

    box = client_logged_in.get(url, headers={"HX-Request": "true"}).content.decode()
    assert box.startswith('<div id="import-status"') and "<html" not in box
    assert 'data-status="queued"' in box


def test_finished_import_box_links_the_paper_and_stops_polling(client_logged_in):
    from papers.models import PaperImport

    paper = PaperFactory(title="Attention Is All You Need")
    paper_import = PaperImport.objects.create(
        identifier="1706.03762", source="arxiv", status="done", paper=paper, attempts=1
    )
    url = paper_import.get_absolute_url()
    box = client_logged_in.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'href="{paper.get_absolute_url()}">Open Attention Is All You Need' in box
    assert "hx-get" not in box


def test_failed_import_shows_reason_and_retry(
    client_logged_in, arxiv_replay, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(
            reverse("papers:paper-add"), {"q": "2101.99999"}
        )
    html = client_logged_in.get(response["Location"]).content.decode()
    assert "No paper with that identifier on arXiv." in html and "Try again" in html
    assert "tried 1 time" in html and "hx-get" not in html

    arxiv_replay.entries["2101.99999"] = arxiv_replay.entries["1706.03762"].replace(
        "1706.03762", "2101.99999"
    )
    retry_url = response["Location"] + "retry/"
    with django_capture_on_commit_callbacks(execute=True):
        client_logged_in.post(retry_url)
    assert client_logged_in.get(response["Location"]).status_code == 302


def test_title_search_lists_candidates_with_summary_counts(
    client_logged_in, arxiv_replay, settings, django_capture_on_commit_callbacks
):
    settings.BIBSONOMY_USER = ""
    paper = PaperFactory(
        title="Understanding deep learning requires rethinking generalization"
    )
    SummaryFactory(paper=paper)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(
            reverse("papers:paper-add"), {"q": "rethinking generalization"}
        )
    html = client_logged_in.get(response["Location"]).content.decode()
    assert "1 summary" in html
    assert "BibSonomy search is switched off" in html


def test_title_search_answers_at_once_then_fills_in_outside_results(
    client_logged_in, arxiv_replay, settings, django_capture_on_commit_callbacks
):
    """The search page shows the site's papers before arXiv is asked."""
    settings.BIBSONOMY_USER = ""
    PaperFactory(title="Attention models for speech", arxiv_id="1506.07503")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client_logged_in.post(
            reverse("papers:paper-add"), {"q": "attention"}
        )
    url = response["Location"]
    assert url.startswith("/papers/add/search/") and len(queued) == 1
    assert arxiv_replay.requests == []  # nobody has asked arXiv yet

    html = client_logged_in.get(url).content.decode()
    assert "Attention models for speech" in html
    assert "Searching arXiv and BibSonomy" in html
    assert f'hx-get="{url}" hx-trigger="every 2s"' in html
    assert 'value="attention"' in html  # the box keeps what was typed

    queued[0]()  # the task runs
    box = client_logged_in.get(url, headers={"HX-Request": "true"}).content.decode()
    assert box.startswith('<div id="title-search-results"') and "hx-get" not in box
    assert "Attention Is All You Need" in box and "from arXiv" in box
    assert "Import this paper" in box


def test_title_search_outage_is_not_called_not_found(
    client_logged_in, settings, recorded_sleeps, django_capture_on_commit_callbacks
):
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"  # nothing listens there
    settings.BIBSONOMY_USER = ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(
            reverse("papers:paper-add"), {"q": "a title nobody wrote"}
        )
    html = client_logged_in.get(response["Location"]).content.decode()
    assert "arXiv did not answer, so its papers are not listed" in html
    assert "No paper with that title was found here. Try its arXiv id or DOI." in html
    assert "on arXiv" not in html and "Error" not in html


def test_expired_title_search_is_404(client_logged_in):
    url = reverse("papers:title-search", args=["gone"])
    assert client_logged_in.get(url).status_code == 404


def test_title_search_offers_arxiv_papers_to_import(
    client_logged_in, arxiv_replay, settings, django_capture_on_commit_callbacks
):
    settings.BIBSONOMY_USER = ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(
            reverse("papers:paper-add"), {"q": "Attention Is All You Need"}
        )
    html = client_logged_in.get(response["Location"]).content.decode()
    assert "Import this paper" in html and 'value="1706.03762"' in html


def test_paper_page_shows_the_dblp_key_with_a_link(client):
    paper = PaperFactory(dblp_key="conf/iclr/ZhangBHRV17")

    html = client.get(paper.get_absolute_url()).content.decode()

    assert (
        '<a href="https://dblp.org/rec/conf/iclr/ZhangBHRV17" rel="noopener">'
        "dblp conf/iclr/ZhangBHRV17</a>"
    ) in html


def test_paper_page_without_dblp_key_has_no_dblp_link(client):
    paper = PaperFactory()

    assert "dblp.org" not in client.get(paper.get_absolute_url()).content.decode()


def test_venue_import_page_is_for_staff_only(client_logged_in):
    response = client_logged_in.get(reverse("papers:venue-import"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_queue_a_venue_import(
    client, dblp_replay, arxiv_replay, django_capture_on_commit_callbacks
):
    from papers.models import Paper
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    url = reverse("papers:venue-import")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"key": "conf/iclr", "year": "2017"})
    page = client.get(response["Location"])

    assert "The import of conf/iclr 2017 is queued" in page.content.decode()
    # Without a broker the task runs in-process once the request commits.
    assert Paper.objects.filter(venue__slug="iclr", year=2017).count() == 198


def test_venue_import_rejects_a_key_that_is_not_dblp(client):
    from papers.models import Paper
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    response = client.post(
        reverse("papers:venue-import"), {"key": "NeurIPS", "year": "2017"}
    )

    assert response.status_code == 400
    assert "Give a dblp venue key such as" in response.content.decode()
    assert Paper.objects.count() == 0


def test_venue_year_tabs_show_coverage_per_year(client):
    venue = VenueFactory(slug="iclr", short_name="ICLR")
    covered = PaperFactory(venue=venue, year=2017)
    PaperFactory(venue=venue, year=2017)
    PaperFactory(venue=venue, year=2016)
    SummaryFactory(paper=covered)

    html = client.get(reverse("papers:venue-detail", args=["iclr"])).content.decode()

    assert (
        '2017 <span class="count" title="1 of 2 papers summarised">1/2</span>' in html
    )
    assert (
        '2016 <span class="count" title="0 of 1 papers summarised">0/1</span>' in html
    )


def test_paper_page_links_the_openreview_forum_dblp_names(
    client, dblp_replay, arxiv_replay
):
    from papers.models import Paper
    from papers.services import venue_import

    venue_import(key="conf/iclr", year=2017, link_arxiv=False)
    paper = Paper.objects.get(dblp_key="conf/iclr/KipfW17")

    html = client.get(paper.get_absolute_url()).content.decode()

    assert f'<a href="{paper.links[0]}" rel="noopener">OpenReview forum</a>' in html
    assert paper.links[0].startswith("https://openreview.net/forum?id=")


def test_unreachable_source_is_told_in_words_with_one_count(
    client_logged_in, settings, recorded_sleeps, django_capture_on_commit_callbacks
):
    """A source that cannot be reached is not "not found", and no exception text shows."""
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"  # nothing listens there
    settings.ARXIV_MIN_INTERVAL = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(
            reverse("papers:paper-add"), {"q": "1706.03762"}
        )
    html = client_logged_in.get(response["Location"]).content.decode()
    assert "arXiv did not answer after 1 try." in html
    assert "tried 1 time" in html
    assert "Error" not in html and "HTTPConnectionPool" not in html
    assert "not found" not in html.lower() and "attempts" not in html
