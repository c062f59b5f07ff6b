import pytest
from django.core.management import call_command

from papers.models import Paper
from summaries.models import Summary
from users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


def test_every_page_obeys_the_content_security_policy(live_server, page):
    call_command("load_demo")
    paper = Paper.objects.get(arxiv_id="1706.03762")
    summary = Summary.objects.filter(paper=paper).first()
    venue = paper.venue
    writer = User.objects.get(username="mkovacs")
    paths = [
        "/",
        paper.get_absolute_url(),
        summary.get_absolute_url(),
        "/venues/",
        venue.get_absolute_url(),
        f"/venues/{venue.slug}/{paper.year}/",
        "/years/",
        writer.get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ]
    page.add_init_script(COLLECT_VIOLATIONS)
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path
    page.console_errors.clear()  # the 404 page's own status is logged as an error

    # Signed-in pages: the editor (with its script), notifications.
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "mkovacs")
    page.fill("input[name=password]", "demo-password")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, page.content()[:3000]
    for path in (
        "/notifications/",
        paper.get_absolute_url(),
        f"/papers/{paper.pk}/write/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path
    page.fill("#editor textarea", "Typing $x^2$ triggers the preview.")
    page.wait_for_selector("#preview .katex")
    # Let the autosave store the text, so closing the page sends no last-moment save
    # while the test database is being emptied.
    page.wait_for_selector("#autosave-status:has-text('Draft saved')", timeout=15_000)
    assert page.evaluate("window.__csp") == []
    assert page.console_errors == []


def test_csp_header_is_strict(client, db):
    header = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header.split("style-src-attr")[0]
    assert "frame-ancestors 'none'" in header
