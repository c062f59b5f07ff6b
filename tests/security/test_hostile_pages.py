"""Every page showing the XSS corpus: checked statically, then opened in Chromium.

tests/security/hostile_site.py puts the whole corpus into every field users and
imports fill. Each page is read through Django's test client and checked statically
(tests/security/xss.py: page_problems); then the paper pages, a summary, a revision
difference, the writer's editor and the profiles holding the bios are opened in
Chromium, which must run nothing.

The site's Content-Security-Policy would stop most inline scripts on its own, so the
browser bypasses it: what is under test is the escaping and the sanitiser, CSP being
the second line. window.alert/prompt/confirm/print are replaced by recorders before any
page script runs, and any dialog that still opens is recorded too.

Playwright runs in a thread of its own, so it does not meet the Playwright of
tests/browser (one sync Playwright per thread), and the site is built in another
thread, free of any event loop, for the ORM and KaTeX.
"""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.security.hostile_site import build_hostile_site
from tests.security.xss import load_vectors, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
)

TRAP_JS = """
(() => {
  const calls = [];
  Object.defineProperty(window, "__xssCalls", {value: calls});
  for (const name of ["alert", "prompt", "confirm", "print"]) {
    window[name] = (...args) => { calls.push(`${name}(${args.map(String).join(", ")})`); };
  }
})();
"""

# Handlers that need a user (hover, focus, pointer, key) are fired by hand on every
# element of the page.
PROVOKE_JS = """
() => {
  const events = ["mouseover", "mouseenter", "mousemove", "pointerover", "focus",
                  "focusin", "keydown", "animationstart", "transitionend", "toggle"];
  for (const el of document.body.querySelectorAll("*")) {
    for (const type of events) el.dispatchEvent(new Event(type, {bubbles: true}));
  }
  window.scrollTo(0, document.body.scrollHeight);
}
"""

DOM_CHECK_JS = """
() => {
  const found = [];
  const badScheme = /^(javascript|vbscript|data|livescript|mocha):/;
  const urlAttrs = new Set(["href", "src", "xlink:href", "action", "formaction", "data",
                            "poster", "background", "srcset", "srcdoc", "ping"]);
  const neverTags = new Set(["iframe", "frame", "frameset", "object", "embed", "applet",
                             "base", "portal"]);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    if (neverTags.has(tag)) found.push(`<${tag}>`);
    if (tag === "script" && el.type !== "application/ld+json"
        && !(el.getAttribute("src") || "").startsWith("/static/")) {
      found.push(`<script> ${el.outerHTML.slice(0, 120)}`);
    }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(`<${tag} ${name}>`);
      if (urlAttrs.has(name) && badScheme.test(value)) found.push(`<${tag} ${name}=${attr.value}>`);
    }
  }
  return found;
}
"""


def _visit(
    base_url: str, paths: list[str], writer_paths: list[str], session: str
) -> dict:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    report = {"control": None, "status": {}, "ran": {}, "dom": {}, "moved": {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                # Nothing leaves the machine: images and scripts elsewhere fail at once.
                # (Not a route handler: routing turns the HTTP cache off.)
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
            ],
        )
        context = browser.new_context(bypass_csp=True)
        context.add_init_script(TRAP_JS)
        page = context.new_page()
        dialogs: list[str] = []

        def on_dialog(dialog):
            dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(base_url + "/")
        page.evaluate("alert('control')")
        report["control"] = page.evaluate("window.__xssCalls")

        def visit(key: str, path: str) -> None:
            nonlocal page
            url = base_url + path
            try:
                response = page.goto(url, timeout=15_000)
                page.evaluate(PROVOKE_JS)
                page.wait_for_timeout(100)  # autofocus, media errors, animations
                report["status"][key] = response.status
                report["ran"][key] = page.evaluate("window.__xssCalls || ['no trap']")
                report["dom"][key] = page.evaluate(DOM_CHECK_JS)
                report["moved"][key] = page.url if page.url != url else ""
            except PlaywrightError as exc:  # a page that navigates itself away
                report["status"][key] = str(exc).splitlines()[0]
                report["ran"][key] = []
                page = context.new_page()
                page.on("dialog", on_dialog)
            report["ran"][key] += dialogs
            dialogs.clear()

        for path in paths:
            visit(path, path)
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session}
        context.add_cookies([{**cookie, "url": base_url}])
        for path in writer_paths:
            visit(f"{path} (as the writer)", path)
        browser.close()
    return report


def _build_and_read(vectors):
    """Build the site and read every page of it with Django's test client."""
    try:
        site = build_hostile_site(vectors)
        anonymous, writer = Client(), Client()
        writer.force_login(site.writer)
        pages = {
            path: anonymous.get(path)
            for path in site.paper_paths
            + site.summary_paths
            + site.history_paths
            + site.user_paths
        }
        pages |= {f"{p} (as the writer)": writer.get(p) for p in site.writer_paths}
        read = {
            path: (response.status_code, page_problems(response.content.decode()))
            for path, response in pages.items()
        }
        return site, read, writer.cookies[settings.SESSION_COOKIE_NAME].value
    finally:
        connections.close_all()  # this thread's connections, before the test DB goes


def test_pages_showing_the_corpus_are_inert(live_server, settings):
    # One client reads hundreds of pages here; the read limits are tested on their own
    # (tests/shortscience/test_throttle.py).
    settings.READ_RATE_LIMITED_VIEWS = {}
    assert os.path.exists(CHROMIUM), (
        f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
    )
    with ThreadPoolExecutor(1) as pool:
        site, read, session = pool.submit(_build_and_read, load_vectors()).result()
    paths = (
        site.paper_paths
        + site.summary_paths[:1]
        + site.history_paths[:1]
        + site.bio_user_paths
    )

    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(
            _visit, live_server.url, paths, site.writer_paths, session
        ).result()

    # Static: every page, as a visitor and as the writer.
    assert {p: status for p, (status, _) in read.items() if status != 200} == {}
    assert {p: found for p, (_, found) in read.items() if found} == {}
    # Hostile websites are refused by the profile service, not stored.
    assert site.refused_websites
    # In Chromium.
    assert report["control"] == ["alert(control)"]
    assert {p: s for p, s in report["status"].items() if s != 200} == {}
    assert {p: calls for p, calls in report["ran"].items() if calls} == {}
    assert {p: found for p, found in report["dom"].items() if found} == {}
    assert {p: moved for p, moved in report["moved"].items() if moved} == {}
