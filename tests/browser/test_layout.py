"""Accessible, dark and mobile: axe-core checks, the dark theme, phone widths, targets, header.

Screenshots of the main pages at 1280 and 390 px are saved under test-results/screenshots/
(git-ignored) for a person to look at after a run.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from papers.models import Paper
from summaries.models import Summary
from users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"
WIDE, PHONE = 1280, 390
# A demo writer with summaries, who votes on others'; signs in with the demo password.
READER = "tokafor"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    attention = Paper.objects.get(arxiv_id="1706.03762")
    other = Summary.objects.filter(paper=attention).exclude(writer__username=READER)
    return {"paper": attention, "summary": other.first()}


def main_pages(demo) -> dict[str, str]:
    paper = demo["paper"]
    return {
        "home": "/",
        "paper": paper.get_absolute_url(),
        "summary": demo["summary"].get_absolute_url(),
        "venue-year": f"/venues/{paper.venue.slug}/{paper.year}/",
        "search": "/search/?q=attention",
        "editor": f"/papers/{paper.pk}/write/",
        "profile": f"/users/{READER}/",
        "venues": "/venues/",
        "api-docs": "/api/docs/",
    }


def new_page(browser, *, width: int, dark: bool = False):
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        color_scheme="dark" if dark else "light",
    )
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return page


def sign_in(page, base: str, username: str = READER) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "demo-password")
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def serious_violations(page) -> list[str]:
    """Run axe-core in the page (evaluated, so the site's CSP does not apply to it)."""
    page.evaluate(AXE.read_text(encoding="utf-8") + ";0")
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations
              .filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return found


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [WIDE, PHONE])
def test_main_pages_pass_axe_fit_the_width_and_are_photographed(
    live_server, browser, demo, width
):
    page = new_page(browser, width=width)
    page.goto(live_server.url + "/accounts/login/")
    problems = {}
    problems["sign-in"] = serious_violations(page)
    shoot(page, f"sign-in-{width}")
    sign_in(page, live_server.url)
    wide_pages = []

    for name, path in main_pages(demo).items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        problems[name] = serious_violations(page)
        if scrolls_sideways(page):
            wide_pages.append(name)
        shoot(page, f"{name}-{width}")

    assert {name: found for name, found in problems.items() if found} == {}
    assert wide_pages == []
    assert page.console_errors == []


def test_math_keeps_mathml_for_screen_readers(live_server, browser, demo):
    page = new_page(browser, width=WIDE)
    page.goto(live_server.url + demo["paper"].get_absolute_url())

    mathml = page.locator(".summary-body .katex .katex-mathml math").first
    assert mathml.count() == 1
    assert mathml.locator("annotation[encoding='application/x-tex']").count() == 1


def luminance(page, selector: str, prop: str) -> float:
    rgb = page.eval_on_selector(
        selector, f"el => getComputedStyle(el).{prop}.match(/\\d+/g).map(Number)"
    )
    return sum(rgb[:3]) / (3 * 255)


def test_dark_theme_follows_the_system_with_legible_math(live_server, browser, demo):
    page = new_page(browser, width=WIDE, dark=True)
    page.goto(live_server.url + demo["summary"].get_absolute_url())

    assert luminance(page, "body", "backgroundColor") < 0.2
    assert luminance(page, ".summary", "backgroundColor") < 0.2
    assert luminance(page, ".summary-body .katex", "color") > 0.7
    assert serious_violations(page) == []
    shoot(page, f"summary-dark-{WIDE}")
    page.set_viewport_size({"width": PHONE, "height": 900})
    shoot(page, f"summary-dark-{PHONE}")


def test_theme_toggle_switches_and_is_remembered(live_server, browser, demo):
    page = new_page(browser, width=WIDE)
    page.goto(live_server.url + "/")
    toggle = page.locator("#theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert luminance(page, "body", "backgroundColor") > 0.8

    toggle.click()

    assert toggle.get_attribute("aria-pressed") == "true"
    assert luminance(page, "body", "backgroundColor") < 0.2
    page.goto(live_server.url + demo["paper"].get_absolute_url())
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert luminance(page, "body", "backgroundColor") < 0.2
    page.locator("#theme-toggle").click()
    assert luminance(page, "body", "backgroundColor") > 0.8


def test_wide_math_scrolls_in_its_own_box_with_a_cue(live_server, browser, demo):
    page = new_page(browser, width=PHONE)
    page.goto(live_server.url + demo["paper"].get_absolute_url())

    box = page.locator(".summary-body .katex-display.is-scrollable").first
    assert box.count() == 1
    style = box.evaluate(
        "el => ({overflow: getComputedStyle(el).overflowX,"
        " cue: getComputedStyle(el).borderBottomStyle,"
        " wider: el.scrollWidth > el.clientWidth,"
        " image: getComputedStyle(el).backgroundImage})"
    )
    assert style["overflow"] == "auto"
    assert style["wider"]
    assert style["cue"] == "dotted"
    assert style["image"].count("gradient") == 4  # edge shadows
    # Keyboards reach it and can scroll it.
    assert box.get_attribute("tabindex") == "0"
    assert not scrolls_sideways(page)


def too_small_targets(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector,
        """els => els.filter(el => el.offsetParent !== null).filter(el => {
            const r = el.getBoundingClientRect();
            return r.width < 24 || r.height < 24;
        }).map(el => el.outerHTML.slice(0, 80))""",
    )


@pytest.mark.parametrize("width", [WIDE, PHONE])
def test_touch_targets_are_at_least_24_px(live_server, browser, demo, width):
    page = new_page(browser, width=width)
    sign_in(page, live_server.url)
    page.goto(live_server.url + demo["paper"].get_absolute_url())
    if width == PHONE:
        page.click("#menu-toggle")

    assert page.locator("form.vote button").count() >= 2
    assert too_small_targets(page, "form.vote button") == []
    assert too_small_targets(page, ".site-header a, .site-header button") == []
    assert too_small_targets(page, ".keywords a, .site-footer a") == []


def rows(page, selector: str) -> int:
    """Count the distinct lines the visible elements sit on (by their vertical middle)."""
    middles = page.eval_on_selector_all(
        selector,
        """els => els.filter(el => el.offsetParent !== null).map(el => {
            const r = el.getBoundingClientRect();
            return Math.round((r.top + r.bottom) / 2 / 12);
        })""",
    )
    return len(set(middles))


def test_signed_in_header_is_one_row_wide_and_two_on_a_phone(
    live_server, browser, demo
):
    page = new_page(browser, width=WIDE)
    sign_in(page, "" + live_server.url)
    page.goto(live_server.url + "/")
    header_items = ".brand, .header-search, .nav > li"

    assert rows(page, header_items) == 1

    page.set_viewport_size({"width": PHONE, "height": 900})
    assert rows(page, header_items + ", .menu-toggle") == 2
    assert page.locator("#site-nav").is_hidden()
    page.click("#menu-toggle")
    assert page.locator("#site-nav").is_visible()
    assert page.locator("#menu-toggle").get_attribute("aria-expanded") == "true"
    shoot(page, f"menu-open-{PHONE}")


def test_signed_in_meta_line_is_one_line(live_server, browser, demo):
    page = new_page(browser, width=WIDE)
    sign_in(page, live_server.url)
    page.goto(live_server.url + demo["summary"].get_absolute_url())

    head = ".summary-head .writer, .summary-head form.vote, .summary-head .report-link"
    assert page.locator(head).count() == 3
    assert rows(page, head) == 1
    height = page.eval_on_selector(
        ".summary-head form.vote button", "el => el.getBoundingClientRect().height"
    )
    assert height >= 24


def test_deleting_a_summary_can_be_undone(live_server, browser, demo):
    page = new_page(browser, width=PHONE)
    sign_in(page, live_server.url)
    mine = Summary.objects.filter(writer__username=READER).first()

    page.goto(live_server.url + f"/summaries/{mine.pk}/delete/")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/deleted/")
    shoot(page, f"summary-deleted-{PHONE}")
    page.click("text=Undo the deletion")
    page.wait_for_url(f"**{mine.get_absolute_url()}")

    mine.refresh_from_db()
    assert mine.deleted_at is None
    assert "Your summary is back" in page.locator(".messages").inner_text()


def test_footer_and_error_page_speak_plainly(live_server, browser, demo):
    page = new_page(browser, width=PHONE)
    page.goto(live_server.url + "/")
    footer = page.locator(".site-footer")
    for name in ("Feed of the latest summaries", "API docs", "Data dump", "CC BY 4.0"):
        assert footer.get_by_role("link", name=name, exact=False).count() == 1
    assert footer.locator("a[href^='mailto:']").count() == 1

    response = page.goto(live_server.url + "/no/such/page/")
    assert response.status == 404
    assert "There is no page at this address" in page.locator("main").inner_text()
    assert "Resolver404" not in page.content()
    assert not scrolls_sideways(page)


def test_the_moderator_demo_account_sees_the_moderation_queue(
    live_server, browser, demo
):
    assert User.objects.get(username="hlindqvist").may_moderate
    page = new_page(browser, width=WIDE)
    sign_in(page, live_server.url, "hlindqvist")

    page.goto(live_server.url + "/")

    assert page.locator(".nav a", has_text="Moderation").count() == 1
