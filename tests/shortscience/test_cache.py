"""Anonymous pages come from the cache, and every write shows at once."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import environ
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.services import comment_create
from papers.services import PaperData, paper_upsert
from shortscience.cache import cache_touch, versions_settle
from summaries import services as summary_services
from summaries.models import Summary
from tests.factories import KeywordFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db
BASE_DIR = Path(django_settings.BASE_DIR)
postgres_only = pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="SQLite's test database is in memory: no other process can open it",
)


def anonymous_get(path):
    return Client().get(path)


def assert_cached(path):
    anonymous_get(path)
    response = anonymous_get(path)
    assert response["X-Cache"] == "hit", path
    return response


@pytest.fixture
def world():
    summary = SummaryFactory(body="first words", score=0)
    summary.paper.keywords.add(KeywordFactory(name="optimisation", slug="optimisation"))
    return summary


def pages(summary):
    paper = summary.paper
    return [
        "/",
        paper.get_absolute_url(),
        summary.get_absolute_url(),
        summary.writer.get_absolute_url(),
        "/venues/",
        paper.venue.get_absolute_url(),
        reverse("papers:venue-year", args=[paper.venue.slug, paper.year]),
        "/years/",
        reverse("papers:year-detail", args=[paper.year]),
        "/keywords/optimisation/",
    ]


def test_anonymous_pages_are_served_from_the_cache(world):
    for path in pages(world):
        assert_cached(path)


def test_a_summary_edit_through_the_web_shows_at_once(
    world, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.writer)
    for path in pages(world):
        assert_cached(path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("summaries:summary-edit", args=[world.pk]),
            {"body": "second words", "action": "save"},
        )
    for path in (world.paper.get_absolute_url(), world.get_absolute_url()):
        html = anonymous_get(path).content.decode()
        assert "second words" in html and "first words" not in html, path


def test_a_new_summary_shows_on_its_paper_at_once_and_on_the_home_page_in_a_minute(
    world,
):
    for path in pages(world):
        assert_cached(path)
    newer = summary_services.summary_save(
        paper=world.paper,
        writer=UserFactory(
            display_name="Newer Writer", date_joined=timezone.now() - timedelta(days=9)
        ),
        body="newer words",
        publish=True,
    )
    summary_services.summary_render(summary_id=newer.pk)
    assert (
        "Newer Writer" in anonymous_get(world.paper.get_absolute_url()).content.decode()
    )
    # The home page keeps its copy for HOME_LAG_SECONDS whatever is published...
    home = anonymous_get("/")
    assert home["X-Cache"] == "hit" and "1 public summary" in home.content.decode()
    # ...and counts the new summary once that copy is gone.
    cache.clear()
    versions_settle()  # Redis announces the flush to this process too
    assert "2 public summaries" in anonymous_get("/").content.decode()


def test_a_vote_shows_at_once_on_the_summary_and_within_a_minute_on_the_paper(
    world, monkeypatch
):
    from shortscience import cache as page_cache

    paper_page, summary_page = world.paper.get_absolute_url(), world.get_absolute_url()
    assert_cached(paper_page)
    assert_cached(summary_page)
    voter = Client()
    voter.force_login(UserFactory(date_joined=timezone.now() - timedelta(days=9)))
    voter.post(reverse("summaries:summary-vote", args=[world.pk]), {"value": 1})
    new_score = '<span class="score-value">1</span>'
    assert new_score in anonymous_get(summary_page).content.decode()
    # The voter's own page is not cached: it shows the vote at once.
    assert new_score in voter.get(paper_page).content.decode()
    # Readers served from the cache get the paper page kept before the vote...
    kept = anonymous_get(paper_page)
    assert kept["X-Cache"] == "hit" and new_score not in kept.content.decode()
    # ...until PAPER_SCORE_LAG_SECONDS have passed since it was stored.
    stored = time.time()
    monkeypatch.setattr(page_cache.time, "time", lambda: stored + 61)
    assert new_score in anonymous_get(paper_page).content.decode()


def test_a_comment_rendered_by_a_worker_shows_at_once(world):
    assert_cached(world.get_absolute_url())
    comment = comment_create(
        summary=world,
        writer=UserFactory(date_joined=timezone.now() - timedelta(days=9)),
        body="a *fresh* comment",
    )
    from comments.services import comment_render

    comment_render(comment_id=comment.pk)
    assert "<em>fresh</em>" in anonymous_get(world.get_absolute_url()).content.decode()


def test_an_import_shows_on_venue_and_year_pages_at_once(
    world, django_capture_on_commit_callbacks
):
    venue_year = reverse(
        "papers:venue-year", args=[world.paper.venue.slug, world.paper.year]
    )
    assert_cached(venue_year)
    world.paper.venue.aliases.create(alias=world.paper.venue.name)
    with django_capture_on_commit_callbacks(execute=True):
        paper_upsert(
            PaperData(
                title="A freshly imported paper",
                source="bibsonomy",
                authors=(("New Author", ""),),
                year=world.paper.year,
                venue=world.paper.venue.name,
            )
        )
    assert "A freshly imported paper" in anonymous_get(venue_year).content.decode()


def test_signed_in_views_are_never_cached_or_served_from_cache(world):
    path = world.paper.get_absolute_url()
    assert_cached(path)
    client = Client()
    client.force_login(world.writer)
    response = client.get(path)
    assert "X-Cache" not in response
    assert (
        "Edit your summary" in response.content.decode()
    )  # their own page, not the cached one
    assert "Edit your summary" not in anonymous_get(path).content.decode()


def test_pages_that_set_cookies_are_not_cached():
    assert "X-Cache" not in Client().get("/accounts/login/")


# Writes from other processes ---------------------------------------------------------


def _run_manage(*args: str, cache_dir, database_url: str | None = None) -> str:
    """Run manage.py in a process of its own, on the test settings and a shared cache."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shortscience.settings.test",
        "CACHE_URL": f"filecache://{cache_dir}",
    }
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.fixture
def file_cache(settings, tmp_path):
    """The embedded default's kind of cache, in a folder of the test's own."""
    settings.CACHES = {
        "default": environ.Env.cache_url_config(f"filecache://{tmp_path}")
    }
    return tmp_path


def test_the_embedded_default_cache_is_shared_between_processes():
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "shortscience.settings.dev"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "c = settings.CACHES['default']; print(c['BACKEND']); print(c['LOCATION'])"
    )

    backend, location = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()

    assert backend == "django.core.cache.backends.filebased.FileBasedCache"
    assert Path(location) == BASE_DIR / ".cache"


def test_a_write_in_another_process_invalidates_the_page_at_once(file_cache):
    summary = SummaryFactory(body_html="<p>first words</p>")
    path = summary.get_absolute_url()
    assert_cached(path)
    # A write that does not announce itself, then its announcement from another process.
    Summary.objects.filter(pk=summary.pk).update(body_html="<p>changed elsewhere</p>")
    assert "first words" in anonymous_get(path).content.decode()

    _run_manage(
        "shell",
        "-c",
        "from shortscience.cache import cache_touch; "
        f"cache_touch('summary', {summary.pk})",
        cache_dir=file_cache,
    )

    html = anonymous_get(path).content.decode()
    assert "changed elsewhere" in html and "first words" not in html


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_rerender_in_another_process_shows_on_the_page_at_once(file_cache):
    summary = SummaryFactory(
        body="Re-rendered *elsewhere*.", body_html="<p>old html</p>", rendered_by="old"
    )
    path = summary.get_absolute_url()
    assert_cached(path)
    db = connection.settings_dict
    database_url = (
        f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )

    out = _run_manage("rerender", cache_dir=file_cache, database_url=database_url)

    assert "summaries: 1 of 1" in out
    html = anonymous_get(path).content.decode()
    assert "<em>elsewhere</em>" in html and "old html" not in html


def test_a_lost_version_never_brings_back_pages_of_an_earlier_one(world):
    path = world.get_absolute_url()
    assert_cached(path)
    Summary.objects.filter(pk=world.pk).update(body_html="<p>changed meanwhile</p>")
    cache_touch("summary", world.pk)
    # The cache loses the summary's version (culled, expired, restarted) but kept pages.
    cache.delete(f"v:summary:{world.pk}")

    assert "changed meanwhile" in anonymous_get(path).content.decode()


def test_versions_never_seen_start_at_the_render_and_the_first_writer_wins():
    from shortscience.cache import _versions

    cache.set("v:paper:known", 5, timeout=None)
    assert _versions(["v:paper:known", "v:paper:new-a", "v:paper:new-b"]) == {
        "v:paper:known": 5
    }
    first = _versions(["v:paper:known", "v:paper:new-a"], created_at=100)
    # Another render, begun later, finds the version the first one stored.
    second = _versions(["v:paper:new-a", "v:paper:new-b"], created_at=200)

    assert first == {"v:paper:known": 5, "v:paper:new-a": 100}
    assert second == {"v:paper:new-a": 100, "v:paper:new-b": 200}
    assert cache.get_many(["v:paper:new-a", "v:paper:new-b"]) == {
        "v:paper:new-a": 100,
        "v:paper:new-b": 200,
    }


def test_a_render_declaring_thousands_of_new_versions_stores_and_reads_them_all():
    """Redis stores them with one Lua call per thousand keys; each key that already has
    a version keeps it."""
    from shortscience.cache import _versions

    keys = [f"v:paper:many-{n}" for n in range(2500)]
    cache.set_many({keys[10]: 7, keys[1500]: 9}, timeout=None)

    found = _versions(keys, created_at=300)

    assert len(found) == 2500
    assert found[keys[10]] == 7 and found[keys[1500]] == 9
    assert {v for k, v in found.items() if k not in (keys[10], keys[1500])} == {300}
    assert cache.get(keys[2499]) == 300
