from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from lists.models import ReadingList
from papers.models import Venue
from summaries.models import Summary
from tests.factories import (
    ApiTokenFactory,
    ListItemFactory,
    PaperFactory,
    ReadingListFactory,
    SummaryFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def _get(client, path, **kwargs):
    response = client.get(path, **kwargs)
    assert response["Content-Type"].startswith("application/json")
    return response


def _follow(client, url):
    parts = urlsplit(url)
    return _get(client, f"{parts.path}?{parts.query}")


def test_papers_are_listed_newest_first_with_cursor_pages(client):
    papers = [PaperFactory() for _ in range(5)]

    first = _get(client, "/api/v1/papers", data={"limit": 2}).json()
    second = _follow(client, first["next"]).json()
    third = _follow(client, second["next"]).json()

    ids = [p["id"] for page in (first, second, third) for p in page["results"]]
    assert ids == [p.pk for p in reversed(papers)]
    assert third["next"] is None
    assert "cursor=" in first["next"]
    assert "limit=2" in first["next"]


def test_a_cursor_page_is_stable_when_papers_are_added(client):
    older = [PaperFactory() for _ in range(3)]
    first = _get(client, "/api/v1/papers", data={"limit": 2}).json()
    PaperFactory()

    second = _follow(client, first["next"]).json()

    assert [p["id"] for p in second["results"]] == [older[0].pk]


def test_paper_fields(client):
    paper = PaperFactory(doi="10.5555/x", authors=["Ada Lovelace", "Alan Turing"])
    SummaryFactory(paper=paper)
    SummaryFactory(paper=paper, is_private=True)

    data = _get(client, f"/api/v1/papers/{paper.pk}").json()

    assert data["title"] == paper.title
    assert data["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert data["arxiv_id"] == paper.arxiv_id
    assert data["doi"] == "10.5555/x"
    assert data["venue"]["slug"] == paper.venue.slug
    assert data["summary_count"] == 1
    assert data["url"] == f"http://127.0.0.1:8000/papers/{paper.pk}/"


def test_papers_filtered_by_venue_year_and_summaries(client):
    venue = VenueFactory(slug="iclr-test")
    hit = PaperFactory(venue=venue, year=2019)
    SummaryFactory(paper=hit)
    PaperFactory(venue=venue, year=2019)
    PaperFactory(venue=venue, year=2018)

    data = _get(
        client,
        "/api/v1/papers",
        data={"venue": "iclr-test", "year": 2019, "summarised": "true"},
    ).json()

    assert [p["id"] for p in data["results"]] == [hit.pk]


@pytest.mark.parametrize(
    "path", ["/api/v1/papers/arxiv/1706.03762", "/api/v1/papers/arxiv/1706.03762v5"]
)
def test_look_up_by_arxiv_id(client, path):
    paper = PaperFactory(arxiv_id="1706.03762")

    assert _get(client, path).json()["id"] == paper.pk


def test_look_up_by_old_style_arxiv_id_and_doi_with_slashes(client):
    old = PaperFactory(arxiv_id="hep-th/9901001")
    doi = PaperFactory(doi="10.1038/nature14539")

    assert _get(client, "/api/v1/papers/arxiv/hep-th/9901001").json()["id"] == old.pk
    assert _get(client, "/api/v1/papers/doi/10.1038/nature14539").json()["id"] == doi.pk
    assert (
        _get(client, "/api/v1/papers/doi/https://doi.org/10.1038/NATURE14539").json()[
            "id"
        ]
        == doi.pk
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/papers/999999",
        "/api/v1/papers/arxiv/2101.00001",
        "/api/v1/papers/doi/10.1234/none",
        "/api/v1/papers/999999/summaries",
        "/api/v1/users/nobody/summaries",
        "/api/v1/venues/nope",
        "/api/v1/summaries/999999",
        "/api/v1/no/such/thing",
    ],
)
def test_unknown_ids_are_json_404(client, path):
    response = _get(client, path)

    assert response.status_code == 404
    assert isinstance(response.json()["error"], str)


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/api/v1/papers", {"limit": 0}, "limit"),
        ("/api/v1/papers", {"limit": 1000}, "limit"),
        ("/api/v1/papers", {"limit": "many"}, "limit"),
        ("/api/v1/papers", {"cursor": "not-a-cursor"}, "cursor"),
        ("/api/v1/papers", {"year": "soon"}, "year"),
        ("/api/v1/papers", {"venue": "no-such-venue"}, "venue"),
        ("/api/v1/venues", {"limit": 1000}, "limit"),
        ("/api/v1/papers/arxiv/not-an-id", {}, "arxiv_id"),
        ("/api/v1/papers/doi/11.2/x", {}, "doi"),
        ("/api/v1/search", {}, "q"),
        ("/api/v1/search", {"q": "x"}, "q"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, path, params, parameter):
    response = _get(client, path, data=params)

    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter
    assert parameter in body["error"]


def test_a_cursor_from_another_list_is_rejected(client):
    PaperFactory.create_batch(3)
    cursor = _get(client, "/api/v1/papers", data={"limit": 1}).json()["next"]
    query = urlsplit(cursor).query

    response = _get(client, f"/api/v1/search?q=study&{query}")

    assert response.status_code == 400
    assert response.json()["parameter"] == "cursor"


def test_paper_summaries_are_public_only_and_anonymous_stays_anonymous(client):
    paper = PaperFactory()
    named = SummaryFactory(paper=paper)
    anonymous = SummaryFactory(paper=paper, is_anonymous=True)
    SummaryFactory(paper=paper, is_private=True)
    SummaryFactory(paper=paper, status=Summary.Status.DRAFT, published_at=None)
    SummaryFactory(paper=paper, deleted_at=timezone.now())

    response = _get(client, f"/api/v1/papers/{paper.pk}/summaries")

    results = {s["id"]: s for s in response.json()["results"]}
    assert set(results) == {named.pk, anonymous.pk}
    assert results[anonymous.pk]["writer"] == "Anonymous"
    assert results[anonymous.pk]["writer_username"] is None
    assert anonymous.writer.username.encode() not in response.content
    assert results[named.pk]["writer_username"] == named.writer.username
    assert "<math" in results[named.pk]["body_html"]


def test_writer_summaries_show_anonymous_ones_only_to_the_writer(client):
    writer = UserFactory()
    named = SummaryFactory(writer=writer)
    anonymous = SummaryFactory(writer=writer, is_anonymous=True)
    path = f"/api/v1/users/{writer.username}/summaries"

    public = _get(client, path).json()["results"]
    token = ApiTokenFactory(user=writer)
    own = _get(client, path, HTTP_AUTHORIZATION=f"Bearer {token.raw}").json()["results"]

    assert [s["id"] for s in public] == [named.pk]
    assert {s["id"] for s in own} == {named.pk, anonymous.pk}
    assert {s["writer_username"] for s in own} == {writer.username}


def test_summary_by_id_hides_drafts_except_from_their_writer(client):
    draft = SummaryFactory(status=Summary.Status.DRAFT, published_at=None)
    token = ApiTokenFactory(user=draft.writer)
    path = f"/api/v1/summaries/{draft.pk}"

    assert _get(client, path).status_code == 404
    mine = _get(client, path, HTTP_AUTHORIZATION=f"Bearer {token.raw}")
    assert mine.status_code == 200
    assert mine.json()["published"] is False


def test_venues_and_their_years(client):
    venue = VenueFactory(slug="colt-test", short_name="COLT")
    summarised = PaperFactory(venue=venue, year=2020)
    SummaryFactory(paper=summarised)
    PaperFactory(venue=venue, year=2020)
    PaperFactory(venue=venue, year=2019)

    listed = _get(client, "/api/v1/venues").json()
    detail = _get(client, "/api/v1/venues/colt-test").json()

    assert {"slug": "colt-test", "paper_count": 3}.items() <= next(
        v for v in listed["results"] if v["slug"] == "colt-test"
    ).items()
    assert detail["years"] == [
        {"year": 2020, "paper_count": 2, "summarised_count": 1},
        {"year": 2019, "paper_count": 1, "summarised_count": 0},
    ]


def test_venues_are_listed_by_short_name_with_cursor_pages(client):
    VenueFactory.create_batch(5)
    pages = [_get(client, "/api/v1/venues", data={"limit": 2}).json()]
    while pages[-1]["next"]:
        pages.append(_follow(client, pages[-1]["next"]).json())

    slugs = [v["slug"] for page in pages for v in page["results"]]
    assert slugs == list(
        Venue.objects.order_by("short_name", "pk").values_list("slug", flat=True)
    )
    assert all(len(page["results"]) == 2 for page in pages[:-1])


def test_venues_reject_a_cursor_from_another_list(client):
    PaperFactory.create_batch(2)
    cursor = _get(client, "/api/v1/papers", data={"limit": 1}).json()["next"]

    response = _get(client, f"/api/v1/venues?{urlsplit(cursor).query}")

    assert response.status_code == 400
    assert response.json()["parameter"] == "cursor"


def test_search_matches_title_and_abstract_words(client):
    by_title = PaperFactory(title="Neural ordinary differential equations")
    by_abstract = PaperFactory(title="Something", abstract="We use neural ODE solvers.")
    PaperFactory(title="Unrelated", abstract="Nothing here.")

    data = _get(client, "/api/v1/search", data={"q": "NEURAL"}).json()

    assert {p["id"] for p in data["results"]} == {by_title.pk, by_abstract.pk}


def test_reads_carry_an_etag_and_answer_304_when_unchanged(client):
    paper = PaperFactory()
    path = f"/api/v1/papers/{paper.pk}"

    first = _get(client, path)
    etag = first["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    paper.title = "A new title"
    paper.save()
    changed = _get(client, path, HTTP_IF_NONE_MATCH=etag)

    assert etag.startswith('"') and etag.endswith('"')
    assert "Authorization" in first["Vary"]
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_errors_carry_no_etag(client):
    assert not client.get("/api/v1/papers/999999").has_header("ETag")


def test_over_the_rate_limit_is_429_with_retry_after(client, settings):
    settings.API_RATE_LIMIT_ANONYMOUS = "3/m"
    for _ in range(3):
        assert client.get("/api/v1/venues").status_code == 200

    response = _get(client, "/api/v1/venues")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many requests" in response.json()["error"]


def test_a_token_has_its_own_larger_allowance(client, settings):
    settings.API_RATE_LIMIT_ANONYMOUS = "1/m"
    settings.API_RATE_LIMIT_TOKEN = "5/m"
    token = ApiTokenFactory()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token.raw}"}
    assert client.get("/api/v1/venues").status_code == 200
    assert client.get("/api/v1/venues").status_code == 429

    statuses = [client.get("/api/v1/venues", **auth).status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]


def test_limits_count_per_ip_address(client, settings):
    settings.API_RATE_LIMIT_ANONYMOUS = "1/m"

    assert client.get("/api/v1/venues", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get("/api/v1/venues", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/api/v1/venues", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_the_api_root_points_at_schema_and_docs(client):
    data = _get(client, "/api/v1/").json()

    assert data["openapi"].endswith("/api/openapi.json")
    assert data["docs"].endswith("/api/docs/")
    assert "/api/v1/papers" in data["paths"]


def test_listing_papers_costs_the_same_queries_for_any_page_size(
    client, django_assert_num_queries
):
    # Papers (with their summary counts), authors, and approved code and project links.
    PaperFactory.create_batch(2)
    with django_assert_num_queries(3):
        client.get("/api/v1/papers")
    PaperFactory.create_batch(8)

    with django_assert_num_queries(3):
        client.get("/api/v1/papers")


def test_listing_summaries_costs_the_same_queries_for_any_page_size(
    client, django_assert_num_queries
):
    paper = PaperFactory()
    SummaryFactory(paper=paper)
    # The summaries, then their endorsements and author responses.
    with django_assert_num_queries(4):
        client.get(f"/api/v1/papers/{paper.pk}/summaries")
    SummaryFactory.create_batch(5, paper=paper)

    with django_assert_num_queries(4):
        client.get(f"/api/v1/papers/{paper.pk}/summaries")


def test_a_public_reading_list_reads_in_order_with_notes(client):
    reading_list = ReadingListFactory(visibility=ReadingList.Visibility.PUBLIC)
    second = ListItemFactory(reading_list=reading_list, position=5, note="then this")
    first = ListItemFactory(reading_list=reading_list, position=1, note="start here")
    SummaryFactory(paper=first.paper)

    data = client.get(f"/api/v1/lists/{reading_list.pk}").json()

    assert [(i["position"], i["note"], i["paper"]["id"]) for i in data["items"]] == [
        (1, "start here", first.paper_id),
        (2, "then this", second.paper_id),
    ]
    assert data["items"][0]["paper"]["summary_count"] == 1
    assert data["feed_url"].endswith(f"/lists/{reading_list.pk}/feed.atom")


def test_a_private_reading_list_answers_only_its_owners_token(client):
    reading_list = ReadingListFactory(visibility=ReadingList.Visibility.PRIVATE)
    token = ApiTokenFactory(user=reading_list.owner)
    url = f"/api/v1/lists/{reading_list.pk}"

    anonymous = client.get(url)
    owner = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token.raw}")

    assert anonymous.status_code == 404
    assert anonymous.json() == {"error": f"There is no list {reading_list.pk}."}
    assert owner.json()["visibility"] == "private"


def test_an_unlisted_reading_list_needs_its_key(client):

    reading_list = ReadingListFactory(visibility=ReadingList.Visibility.UNLISTED)
    url = f"/api/v1/lists/{reading_list.pk}"

    assert client.get(url).status_code == 404
    assert client.get(url, {"key": reading_list.share_key}).json()["feed_url"] is None


def test_a_users_public_lists(client):
    owner = UserFactory(username="reader")
    public = ReadingListFactory(owner=owner, title="Open")
    ListItemFactory(reading_list=public)
    ReadingListFactory(
        owner=owner, title="Closed", visibility=ReadingList.Visibility.PRIVATE
    )

    data = client.get("/api/v1/users/reader/lists").json()

    assert [(r["title"], r["paper_count"]) for r in data] == [("Open", 1)]
