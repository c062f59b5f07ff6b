"""Cached pages are answered at the door, under keys a flood cannot grow, with the
headers HTTP caches in front need."""

import gzip
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shortscience.cache import versions_settle
from tests.factories import CommentFactory, SummaryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper_path():
    return SummaryFactory(body_html="<p>cached words</p>").paper.get_absolute_url()


@pytest.fixture
def recorded_sets(monkeypatch):
    """Record the keys pages are stored under, whatever the cache backend."""
    from shortscience import cache as page_cache

    keys: set[str] = set()
    real_set, real_set_many = cache.set, cache.set_many

    def recording_set(key, *args, **kwargs):
        keys.add(key)
        return real_set(key, *args, **kwargs)

    def recording_set_many(data, *args, **kwargs):
        keys.update(data)
        return real_set_many(data, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "set", recording_set)
    monkeypatch.setattr(page_cache.cache, "set_many", recording_set_many)
    return keys


def test_a_hit_needs_no_session_user_or_database(paper_path):
    Client().get(paper_path)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(paper_path)
    assert response["X-Cache"] == "hit"
    assert "cached words" in response.content.decode()
    assert len(queries) == 0
    assert not hasattr(response.wsgi_request, "user")
    assert not hasattr(response.wsgi_request, "session")


def test_a_hit_carries_the_headers_of_the_rendered_page(paper_path):
    miss = Client().get(paper_path)
    hit = Client().get(paper_path)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Type"):
        assert hit[header] == miss[header], header
    assert hit.content == miss.content


def test_anonymous_pages_tell_http_caches_how_long_to_keep_them(paper_path):
    response = Client().get(paper_path)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "s-maxage=60", "stale-while-revalidate=30"} <= directives
    assert "Cookie" in response["Vary"]
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")


def test_conditional_requests_get_304(paper_path):
    first = Client().get(paper_path)

    by_etag = Client().get(paper_path, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = Client().get(paper_path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    other = Client().get(paper_path, HTTP_IF_NONE_MATCH='"something-else"')

    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]
    assert by_date.status_code == 304
    assert other.status_code == 200 and other.content == first.content


def test_large_pages_are_compressed_for_clients_that_accept_it(paper_path):
    plain = Client().get(paper_path)
    zipped = Client().get(paper_path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    refused = Client().get(paper_path, HTTP_ACCEPT_ENCODING="gzip;q=0")

    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content)
    assert "Accept-Encoding" in zipped["Vary"]
    assert zipped["ETag"] != plain["ETag"]
    assert "Content-Encoding" not in plain and "Content-Encoding" not in refused


def test_pages_with_a_csrf_token_or_a_signed_in_reader_are_neither_stored_nor_zipped(
    paper_path, user
):
    # The sign-in page carries a CSRF token; a signed-in page carries personal data.
    login = Client().get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
    reader = Client()
    reader.force_login(user)
    personal = reader.get(paper_path, HTTP_ACCEPT_ENCODING="gzip")

    for response in (login, personal):
        assert "X-Cache" not in response
        assert "Content-Encoding" not in response
        assert "s-maxage" not in response.get("Cache-Control", "")


def test_an_anonymous_reader_holding_a_csrf_cookie_is_not_stored():
    client = Client()
    client.get("/accounts/login/")  # now holds a csrftoken cookie
    assert "csrftoken" in client.cookies
    client.get("/accounts/login/")
    assert client.get("/accounts/login/").get("X-Cache") is None


def test_unnamed_query_parameters_share_the_page_and_its_key(paper_path, recorded_sets):
    Client().get(paper_path)
    for n in range(200):
        response = Client().get(f"{paper_path}?x={n}&utm_source=flood{n}")
        assert response["X-Cache"] == "hit"

    assert len([k for k in recorded_sets if k.startswith("page:")]) == 1


def test_named_parameters_keep_only_their_canonical_values(recorded_sets):
    SummaryFactory()
    Client().get("/")
    for tab in ("popular", "nonsense", "", "POPULAR"):
        assert Client().get(f"/?tab={tab}")["X-Cache"] == "hit", tab
    assert Client().get("/?tab=recent")["X-Cache"] == "miss"
    assert len([k for k in recorded_sets if k.startswith("page:")]) == 2


def test_a_flood_of_page_numbers_stores_nothing_past_the_last_page(recorded_sets):
    summary = SummaryFactory()
    path = summary.writer.get_absolute_url()
    Client().get(path)
    for page in ("1", "abc", "-3", "0"):
        assert Client().get(f"{path}?page={page}")["X-Cache"] == "hit", page
    for page in range(2, 50):
        assert Client().get(f"{path}?page={page}").status_code == 404

    assert len([k for k in recorded_sets if k.startswith("page:")]) == 1


# Fragments ---------------------------------------------------------------------------


@pytest.fixture
def discussed():
    summary = SummaryFactory(body_html="<p>cached words</p>")
    for n in range(3):
        CommentFactory(summary=summary, body_html=f"<p>remark {n}</p>")
    return summary


def test_a_signed_in_page_reuses_the_fragments_of_the_anonymous_one(
    discussed, recorded_sets, user
):
    path = discussed.paper.get_absolute_url()
    Client().get(path)
    stored = {k for k in recorded_sets if k.startswith("frag:")}
    assert len(stored) == 5  # the paper's header, the thread and its three comments
    recorded_sets.clear()
    reader = Client()
    reader.force_login(user)

    html = reader.get(path).content.decode()

    # Only the thread as signed-in readers see it (with reply forms) is new.
    assert len({k for k in recorded_sets if k.startswith("frag:")}) == 1
    assert "remark 2" in html and "<h1" in html
    assert 'class="vote"' in html  # the personal parts are still the reader's own


def test_signed_in_readers_share_one_thread_each_with_their_own_csrf_token(
    discussed, recorded_sets
):
    from tests.factories import UserFactory

    path = discussed.paper.get_absolute_url()
    pages = []
    for _ in range(2):
        reader = Client()
        reader.force_login(UserFactory())
        recorded_sets.clear()
        pages.append((reader, reader.get(path)))

    assert not {k for k in recorded_sets if k.startswith("frag:")}  # all reused
    for reader, response in pages:
        html = response.content.decode()
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert len(tokens) == 1 and "csrf-token-of-this-request" not in html
        # The reply form of the shared thread posts with this reader's own token.
        form = re.search(r'<input type="hidden" name="parent" value="(\d+)">', html)
        assert form
        posted = reader.post(
            f"/summaries/{discussed.pk}/comments/",
            {
                "csrfmiddlewaretoken": tokens.pop(),
                "body": "a reply",
                "parent": form.group(1),
            },
        )
        assert posted.status_code == 302


def test_summary_cards_are_shared_and_a_vote_renews_only_the_vote_form(
    discussed, recorded_sets
):
    from summaries import services as summary_services
    from tests.factories import UserFactory

    path = discussed.paper.get_absolute_url()
    voter, reader = UserFactory(), UserFactory()
    clients = {}
    for person in (voter, reader):
        clients[person] = Client()
        clients[person].force_login(person)
    clients[voter].get(path)
    recorded_sets.clear()

    summary_services.vote_set(user=voter, summary=discussed, value=1)
    theirs = clients[reader].get(path).content.decode()
    mine = clients[voter].get(path).content.decode()

    # Neither the card nor its thread was rendered again: the score is in the vote form.
    assert not {k for k in recorded_sets if k.startswith(("card:", "frag:"))}
    for html in (theirs, mine):
        assert '<span class="score-value">1</span>' in html
        assert "remark 2" in html and "\x00" not in html
    assert 'class="vote-up voted"' in mine and 'class="vote-up voted"' not in theirs


def test_moderators_and_the_papers_authors_get_cards_of_their_own(discussed):
    from community import services as community_services
    from summaries.models import AuthorResponse
    from tests.factories import AuthorClaimFactory, UserFactory

    path = discussed.paper.get_absolute_url()
    reader, moderator, author = UserFactory(), UserFactory(), UserFactory()
    moderator.groups.add(community_services.moderators_group())
    AuthorClaimFactory(paper=discussed.paper, user=author)
    AuthorResponse.objects.create(
        summary=discussed, writer=author, body="we agree", body_html="<p>we agree</p>"
    )
    pages = {}
    for person in (reader, moderator, author):  # the reader's card is kept first
        browser = Client()
        browser.force_login(person)
        pages[person] = browser.get(path).content.decode()

    assert all("we agree" in page for page in pages.values())
    assert "(moderator)" not in pages[reader] and "Endorse:" not in pages[reader]
    assert "Endorse: the authors agree" in pages[author]
    assert "Hide (moderator)" in pages[moderator] and "Endorse:" not in pages[moderator]


def test_a_reader_sees_controls_for_their_own_comment_only(discussed, user):
    from tests.factories import UserFactory

    CommentFactory(summary=discussed, writer=user, body_html="<p>mine</p>")
    path = discussed.paper.get_absolute_url()
    author, other = Client(), Client()
    author.force_login(user)
    other.force_login(UserFactory())

    mine = author.get(path).content.decode()
    theirs = other.get(path).content.decode()

    assert mine.count("<summary>Edit</summary>") == 1
    assert "<summary>Edit</summary>" not in theirs


def test_a_changed_comment_renders_its_fragment_afresh_for_everyone(discussed, user):
    from comments import services as comment_services

    path = discussed.paper.get_absolute_url()
    reader = Client()
    reader.force_login(user)
    reader.get(path)
    comment = discussed.comments.first()

    comment_services.comment_set_hidden(comment=comment, hidden=True)

    assert "[removed by a moderator]" in reader.get(path).content.decode()
    assert "[removed by a moderator]" in Client().get(path).content.decode()


def test_a_signed_in_paper_page_costs_the_same_queries_however_many_summaries(user):
    from tests.factories import PaperFactory

    reader = Client()
    reader.force_login(user)
    few, many = PaperFactory(), PaperFactory()
    SummaryFactory(paper=few)
    for _ in range(6):
        on_many = SummaryFactory(paper=many)
        CommentFactory(summary=on_many)
        CommentFactory(summary=on_many)
    reader.get(few.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        reader.get(few.get_absolute_url())
    reader.get(many.get_absolute_url())
    with CaptureQueriesContext(connection) as six:
        reader.get(many.get_absolute_url())

    assert len(six) == len(one)
    assert len(six) <= 14


# Search pages -------------------------------------------------------------------------


@pytest.fixture
def searchable():
    from discovery import services as discovery_services
    from tests.factories import PaperFactory

    paper = PaperFactory(title="Mastering the game of Go")
    SummaryFactory(paper=paper, body="Monte Carlo tree search guided by networks.")
    discovery_services.index_summaries(paper_ids=[paper.pk])
    return paper


def test_a_search_is_kept_once_asked_for_twice_and_then_answered_at_the_door(
    searchable,
):
    first, second, third = (Client().get("/search/?q=monte+carlo") for _ in range(3))

    assert "Mastering the game of Go" in first.content.decode()
    assert (first["X-Cache"], second["X-Cache"], third["X-Cache"]) == (
        "miss",
        "miss",
        "hit",
    )
    assert third.content == second.content


def test_one_off_searches_store_no_page(searchable, recorded_sets):
    for n in range(30):
        Client().get(f"/search/?q=monte+carlo+{n}")

    assert not [k for k in recorded_sets if k.startswith("page:")]


def test_a_cached_search_shows_a_listed_paper_change_at_once(searchable):
    from papers.services.venues import paper_save_from_admin

    for _ in range(2):
        Client().get("/search/?q=monte+carlo")
    assert Client().get("/search/?q=monte+carlo")["X-Cache"] == "hit"

    searchable.save()  # as the admin does, which then calls the service
    paper_save_from_admin(paper=searchable)

    assert Client().get("/search/?q=monte+carlo")["X-Cache"] == "miss"


# Pages kept in the process's memory ----------------------------------------------------


def test_a_page_this_process_keeps_is_checked_by_its_versions_alone(
    paper_path, monkeypatch
):
    from shortscience import cache as page_cache

    Client().get(paper_path)
    fetched = []
    real_get = page_cache.cache.get
    monkeypatch.setattr(
        page_cache.cache,
        "get",
        lambda key, *a, **k: fetched.append(key) or real_get(key, *a, **k),
    )

    response = Client().get(paper_path)

    assert response["X-Cache"] == "hit"
    assert not [k for k in fetched if k.startswith("page:")]  # not fetched again


def test_emptying_the_cache_makes_pages_kept_in_memory_stale(paper_path):
    Client().get(paper_path)
    assert Client().get(paper_path)["X-Cache"] == "hit"

    cache.clear()
    versions_settle()  # Redis announces the flush to every process

    assert Client().get(paper_path)["X-Cache"] == "miss"


def test_the_home_page_is_kept_for_its_lag_and_not_made_stale_by_votes(monkeypatch):
    from pages.views import HOME_LAG_SECONDS
    from shortscience import cache as page_cache

    stored = {}
    real_set = page_cache.cache.set

    def recording_set(key, value, timeout=None, *a, **k):
        stored[key] = (value, timeout)
        return real_set(key, value, timeout, *a, **k)

    monkeypatch.setattr(page_cache.cache, "set", recording_set)
    SummaryFactory(body_html="<p>on the home page</p>")

    Client().get("/")

    (entry, timeout), *_ = (v for k, v in stored.items() if k.startswith("page:"))
    assert timeout == HOME_LAG_SECONDS
    kinds = {key.split(":")[1] for key in entry["versions"]}
    assert "summary" in kinds  # an edit, deletion or hiding shows at once
    assert not kinds & {"score", "reputation", "list"}


def test_a_kept_page_expires_with_the_copy_it_was_fetched_from():
    import time

    from shortscience.cache import _LocalPages

    pages = _LocalPages(size=2)
    now = int(time.time())
    pages.put("old", {"modified": now - 100}, 60)  # stored 100 s ago for 60 s
    assert pages.get("old") is None

    for key in ("a", "b", "c"):
        pages.put(key, {"modified": now}, 60)
    assert pages.get("a") is None  # past the size, the least recently used goes
    assert pages.get("b") is not None and pages.get("c") is not None


def test_a_page_writes_the_fragments_and_cards_it_rendered_in_one_call(
    discussed, monkeypatch, user
):
    from shortscience import cache as page_cache

    calls = []
    inside = []  # a backend's set_many may call its own set for each key
    real_set, real_set_many = cache.set, cache.set_many

    def recording_set(key, *args, **kwargs):
        if not inside:
            calls.append([key])
        return real_set(key, *args, **kwargs)

    def recording_set_many(data, *args, **kwargs):
        calls.append(list(data))
        inside.append(True)
        try:
            return real_set_many(data, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(page_cache.cache, "set", recording_set)
    monkeypatch.setattr(page_cache.cache, "set_many", recording_set_many)
    reader = Client()
    reader.force_login(user)
    reader.get(discussed.paper.get_absolute_url())

    kept = [c for c in calls if any(k.startswith(("frag:", "card:")) for k in c)]
    assert len(kept) == 1
    # The header, the thread, its three comments and the summary's card.
    assert len([k for k in kept[0] if k.startswith("frag:")]) == 5
    assert len([k for k in kept[0] if k.startswith("card:")]) == 1


# Views answered at the door ---------------------------------------------------------------


def test_ping_is_answered_before_sessions_the_database_and_the_policy_headers():
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/ping", HTTP_COOKIE="sessionid=whatever")

    assert response.status_code == 200 and response.content == b"pong"
    assert len(queries) == 0  # the session named by the cookie is never read
    assert "Content-Security-Policy" not in response  # the chain never ran
    assert response["X-Request-ID"]  # named and logged all the same
