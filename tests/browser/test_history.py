import pytest

from summaries.models import SummaryRevision
from tests.factories import SummaryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD = (
    "## Method\n\nThe critic estimates $V_D^{\\pi}(s) = \\sum_t \\gamma^t r_t$ from "
    "https://example.org/a/very/long/path/that/does/not/break/anywhere/on/its/own/"
    "without/help/from/the/stylesheet/at/all and the actor follows its gradient.\n"
)
NEW = (
    "## Method\n\nThe critic estimates $V_D^{\\pi}(s) = \\sum_{t=0}^{T} \\gamma^t r_t$ "
    "from https://example.org/a/very/long/path/that/does/not/break/anywhere/on/its/own/"
    "without/help/from/the/stylesheet/at/all and the actor follows its natural gradient.\n"
)


def history_with_two_revisions():
    summary = SummaryFactory(body=NEW)
    for number, body in ((1, OLD), (2, NEW)):
        SummaryRevision.objects.create(
            summary=summary, number=number, body=body, writer=summary.writer
        )
    return summary


def test_diff_reads_on_a_phone_without_sideways_scroll(live_server, browser):
    summary = history_with_two_revisions()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + f"/summaries/{summary.pk}/history/")
    inline = page.locator(".diff-inline")
    assert inline.is_visible() and not page.locator(".diff-sides").is_visible()
    assert inline.locator("ins", has_text="natural").count() == 1
    # The changed formula is typeset on both sides of the change.
    assert inline.locator("del .katex").count() == 1
    assert inline.locator("ins .katex").count() == 1
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()


def test_diff_is_side_by_side_on_a_wide_screen(live_server, browser):
    summary = history_with_two_revisions()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + f"/summaries/{summary.pk}/history/")
    sides = page.locator(".diff-side")
    assert page.locator(".diff-sides").is_visible()
    assert not page.locator(".diff-inline").is_visible()
    left, right = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert left["x"] + left["width"] <= right["x"]
    assert abs(left["y"] - right["y"]) < 1
    assert sides.nth(1).locator("ins", has_text="natural").count() == 1
    assert sides.nth(0).locator("ins").count() == 0
    context.close()
