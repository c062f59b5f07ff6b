"""Add a paper: the status box updates itself, without a reload, as the import runs."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

from papers import services
from shortscience.identifiers import classify
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server):
    """A browser context carrying the session of a freshly signed-in user."""
    client = Client()
    client.force_login(UserFactory())
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlparse(live_server.url).hostname,
                "path": "/",
            }
        ]
    )
    return context


def test_import_page_updates_itself_without_a_reload(
    live_server, browser, arxiv_replay
):
    paper_import = services.import_create(identifier=classify("1706.03762"), run=False)
    context = signed_in(browser, live_server)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + paper_import.get_absolute_url())
    assert "Queued." in page.locator("#import-status").inner_text()
    page.evaluate("window.sameDocument = true")  # lost if the page reloads

    services.import_run(import_id=paper_import.pk)  # the task runs meanwhile

    page.wait_for_selector('#import-status[data-status="done"]', timeout=10_000)
    link = page.locator("#import-status a")
    assert link.inner_text() == "Open Attention Is All You Need"
    assert page.evaluate("window.sameDocument") is True
    assert errors == []  # no CSP refusals: the polling is htmx attributes only
    context.close()


def test_title_search_fills_in_outside_results_without_a_reload(
    live_server, browser, arxiv_replay, settings, monkeypatch
):
    from papers.services import imports
    from papers.tasks import search_titles_outside

    settings.BIBSONOMY_USER = ""
    monkeypatch.setattr(imports, "enqueue_in_background", lambda *args: None)
    search_id = services.title_search_start(title="attention is all you need")
    context = signed_in(browser, live_server)
    page = context.new_page()
    page.goto(live_server.url + f"/papers/add/search/{search_id}/")
    assert "Searching arXiv" in page.locator("#title-search-results").inner_text()
    page.evaluate("window.sameDocument = true")

    search_titles_outside.run(search_id)

    page.wait_for_selector('#title-search-results[data-status="done"]', timeout=10_000)
    box = page.locator("#title-search-results")
    assert "Attention Is All You Need" in box.inner_text()
    assert box.locator("button", has_text="Import this paper").count() == 1
    assert page.evaluate("window.sameDocument") is True
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()
