import re

import pytest
from django.core import mail

from summaries.models import Summary
from tests.factories import PaperFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_summary():
    from summaries.services import summary_save

    paper = PaperFactory(title="Batch Normalization")
    writer = UserFactory(display_name="Sergey Writer")
    return summary_save(
        paper=paper,
        writer=writer,
        body="Normalise $\\hat{x} = (x - \\mu) / \\sigma$.",
        publish=True,
    )


def test_sign_up_verify_comment_reply_and_vote_without_reloads(live_server, page):
    holder = []
    holder.append(make_summary())
    summary = Summary.objects.get(pk=holder[0].pk)

    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", "newcomer@example.org")
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=password1]", "a-long-Passphrase-42")
    if page.locator("input[name=password2]").count():
        page.fill("input[name=password2]", "a-long-Passphrase-42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert "/accounts/signup/" not in page.url, page.locator("main").inner_text()
    # The verification mail arrives (console/locmem in tests) with a confirmation link.
    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://[^\s]+/accounts/confirm-email/[^\s]+", mail.outbox[0].body
    )[0]
    path = "/" + link.split("/", 3)[3]
    page.goto(live_server.url + path)
    if page.locator("main form button[type=submit]").count():
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        page.fill("input[name=login]", "newcomer")
        page.fill("input[name=password]", "a-long-Passphrase-42")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")

    page.goto(live_server.url + summary.paper.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    thread = page.locator(f"#comments-{summary.pk}")

    thread.locator("textarea[name=body]").last.fill("Why divide by $\\sigma$?")
    thread.locator("button:has-text('Post comment')").click()
    page.wait_for_selector(f"#comments-{summary.pk} .comment .katex")
    assert (
        "1 comment"
        in page.locator(f"#comments-{summary.pk} .comments-title").inner_text()
    )

    thread = page.locator(f"#comments-{summary.pk}")
    thread.locator("details.reply summary").first.click()
    thread.locator("details.reply textarea").first.fill("To get unit variance.")
    thread.locator("button:has-text('Post reply')").first.click()
    page.wait_for_selector(f"#comments-{summary.pk} .comment.depth-1")
    assert (
        "2 comments"
        in page.locator(f"#comments-{summary.pk} .comments-title").inner_text()
    )

    score = page.locator(f"#vote-{summary.pk} .score-value")
    assert score.inner_text() == "0"
    page.locator(f"#vote-{summary.pk} .vote-up").click()
    page.wait_for_selector(f"#vote-{summary.pk} .vote-up.voted")
    assert page.locator(f"#vote-{summary.pk} .score-value").inner_text() == "1"

    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    assert page.console_errors == []
