"""robots.txt, security.txt, the favicon, the footer and the error pages."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_robots_txt_lets_crawlers_read_and_keeps_private_pages_out(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /s/" in lines  # private share links
    assert "Disallow: /settings/" in lines
    assert "Disallow: /" not in lines


def test_security_txt_names_the_contact_and_an_expiry(client, settings):
    settings.CONTACT_EMAIL = "security@example.org"

    response = client.get("/.well-known/security.txt")

    text = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Contact: mailto:security@example.org\n" in text
    assert re.search(r"^Expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", text, re.M)
    assert "Canonical: http://testserver/.well-known/security.txt" in text


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


def test_footer_links_feeds_api_docs_dump_licence_and_contact(client, settings):
    settings.CONTACT_EMAIL = "hello@example.org"

    html = client.get("/").content.decode()

    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/feeds/latest.atom"' in footer
    assert 'href="/api/docs/"' in footer
    assert 'href="/dumps/latest.jsonl.gz"' in footer
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in footer
    assert 'href="mailto:hello@example.org"' in footer


@pytest.fixture
def production_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_404_for_an_unknown_address_says_so_in_words(production_client):
    response = production_client.get("/no/such/address/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Resolver404" not in html
    assert "There is no page at this address." in html


def test_404_keeps_the_reason_a_view_gave(production_client):
    html = production_client.get("/papers/999999/").content.decode()

    assert "There is no page at this address: " in html


def test_500_says_what_happened(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "The server failed while preparing this page" in html
    assert "Nothing you had already saved is lost" in html
