import pytest
from django.core.management import call_command

from papers.models import Paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_paper_page_shows_typeset_math(live_server, page):
    call_command("load_demo")
    paper = Paper.objects.get(arxiv_id="1706.03762")

    response = page.goto(live_server.url + paper.get_absolute_url())

    assert response.status == 200
    assert page.locator("h1").inner_text() == "Attention Is All You Need"
    assert page.locator(".summary-body .katex").count() > 0
    assert page.locator(".math-error").count() == 0
    # KaTeX's stylesheet is served by the site and applied: the MathML copy is hidden.
    mathml_hidden = page.evaluate(
        "getComputedStyle(document.querySelector('.katex-mathml')).position"
    )
    assert mathml_hidden == "absolute"
    assert page.console_errors == []


def test_phone_width_has_no_horizontal_scroll(live_server, page):
    call_command("load_demo")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    assert overflow
    assert page.console_errors == []
