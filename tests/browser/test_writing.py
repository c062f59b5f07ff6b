import pytest

from summaries.models import Summary
from tests.browser.conftest import with_verified_email
from tests.factories import PaperFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"


def sign_in_through_the_form(page, user):
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")


def test_write_preview_publish_and_find_on_paper_page(live_server, page):
    paper = PaperFactory(title="Deep Residual Learning for Image Recognition")
    writer = with_verified_email(
        UserFactory(username="kaiming_fan", display_name="Kaiming Fan")
    )

    page.goto(live_server.url + paper.get_absolute_url())
    page.click("text=Write a summary")
    sign_in_through_the_form(page, writer)
    page.wait_for_selector("#editor textarea")

    page.fill("#editor textarea", "")
    page.type(
        "#editor textarea",
        "A residual block learns $\\mathcal{F}(x) = H(x) - x$ instead of $H(x)$.",
    )
    # The preview is typeset by the server before anything is saved.
    page.wait_for_selector("#preview .katex", timeout=10_000)
    assert page.locator("#preview .math-error").count() == 0
    assert not Summary.objects.filter(status="published").exists()

    page.click("button[value=publish]")
    page.wait_for_url("**/summaries/*/")
    page.goto(live_server.url + paper.get_absolute_url())
    summary = page.locator(".summary").first
    assert "Kaiming Fan" in summary.inner_text()
    assert summary.locator(".katex").count() == 2
    assert page.console_errors == []


def test_anonymous_summary_hides_the_name_on_every_public_page(
    live_server, page, browser
):
    paper = PaperFactory(title="Adam: A Method for Stochastic Optimization")
    writer = with_verified_email(
        UserFactory(username="hidden_writer", display_name="Hidden Writer")
    )

    page.goto(live_server.url + f"/papers/{paper.pk}/write/")
    sign_in_through_the_form(page, writer)
    page.fill("#editor textarea", "Adam keeps moving averages $m_t$ and $v_t$.")
    page.check("input[name=is_anonymous]")
    page.click("button[value=publish]")
    page.wait_for_url("**/summaries/*/")
    summary = Summary.objects.get(writer=writer)

    reader = browser.new_context().new_page()
    for path in ("/", paper.get_absolute_url(), summary.get_absolute_url()):
        reader.goto(live_server.url + path)
        assert "Hidden Writer" not in reader.locator("body").inner_text(), path
        assert "hidden_writer" not in reader.content(), path
    # The writer's profile does not list the anonymous summary.
    reader.goto(live_server.url + writer.get_absolute_url())
    assert paper.title not in reader.locator("body").inner_text()
    reader.goto(live_server.url + paper.get_absolute_url())
    assert "Anonymous" in reader.locator(".summary").first.inner_text()
    reader.context.close()
