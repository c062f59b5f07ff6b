import pytest
from django.test import Client
from django.urls import reverse

from shortscience.throttle import rate_period
from tests.factories import PaperFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def reader(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


@pytest.mark.parametrize(
    ("rate", "seconds"), [("30/m", 60), ("5/s", 1), ("100/5m", 300), ("1000/h", 3600)]
)
def test_retry_after_is_the_rates_window(rate, seconds):
    assert rate_period(rate) == seconds


def test_search_past_the_rate_answers_429_with_retry_after(settings):
    settings.READ_RATE_LIMITS = {**settings.READ_RATE_LIMITS, "search": "3/m"}
    crawler = reader("203.0.113.5")

    # A crawler walks distinct searches: each is rendered, so each counts.
    answers = [
        crawler.get(reverse("discovery:search"), {"q": f"word{n}"}) for n in range(4)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "60"
    assert "slow down" in answers[-1].content.decode()
    # Another client is not held back by this one.
    assert reader("203.0.113.6").get(reverse("discovery:search")).status_code == 200


def test_a_repeated_search_is_answered_from_the_cache_past_the_rate(settings):
    settings.READ_RATE_LIMITS = {**settings.READ_RATE_LIMITS, "search": "3/m"}
    crawler = reader("203.0.113.7")

    answers = [crawler.get(reverse("discovery:search"), {"q": "go"}) for _ in range(5)]

    # Kept once asked for twice, then served at the door: no render, no limit spent.
    assert [a.status_code for a in answers] == [200] * 5
    assert [a["X-Cache"] for a in answers[2:]] == ["hit"] * 3


def test_feeds_have_their_own_limit(settings):
    settings.READ_RATE_LIMITS = {**settings.READ_RATE_LIMITS, "feeds": "2/m"}
    crawler = reader("198.51.100.20")

    codes = [crawler.get(reverse("feeds:latest-atom")).status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    assert crawler.get(reverse("discovery:search")).status_code == 200


def test_many_distinct_query_strings_from_one_anonymous_client_are_bounded(settings):
    settings.READ_RATE_LIMITS = {**settings.READ_RATE_LIMITS, "queries": "2/m"}
    crawler = reader("198.51.100.21")
    search = reverse("discovery:search")

    codes = [crawler.get(search, {"q": f"words {n}"}).status_code for n in range(3)]

    assert codes == [200, 200, 429]
    assert crawler.get(search).status_code == 200  # the plain page is still served


def test_signed_in_readers_are_counted_by_account(settings):
    settings.READ_RATE_LIMITS = {**settings.READ_RATE_LIMITS, "search": "2/m"}
    user = UserFactory()
    home, office = reader("192.0.2.1"), reader("192.0.2.2")
    home.force_login(user)
    office.force_login(user)

    codes = [c.get(reverse("discovery:search")).status_code for c in (home, office)]
    codes.append(home.get(reverse("discovery:search")).status_code)

    assert codes == [200, 200, 429]


def test_pages_that_are_not_expensive_are_not_limited(settings):
    settings.READ_RATE_LIMITS = dict.fromkeys(settings.READ_RATE_LIMITS, "1/m")
    crawler = reader("192.0.2.9")

    codes = [crawler.get(reverse("robots-txt")).status_code for _ in range(3)]

    assert codes == [200, 200, 200]


def test_anonymous_clients_cannot_page_deep(settings):
    settings.ANONYMOUS_MAX_PAGE = 2
    venue = VenueFactory(slug="long")
    PaperFactory.create_batch(160, venue=venue, year=2019)  # 50 a page: 4 pages
    year = reverse("papers:venue-year", args=["long", 2019])

    deep = Client().get(f"{year}?page=3")
    signed_in = Client()
    signed_in.force_login(UserFactory())

    assert deep.status_code == 403
    assert "Pages past 2 are for signed-in readers" in deep.content.decode()
    assert Client().get(f"{year}?page=9").status_code == 404  # past the end
    assert signed_in.get(f"{year}?page=3").status_code == 200


def test_robots_txt_asks_for_a_crawl_delay_and_names_the_sitemap(settings):
    settings.ROBOTS_CRAWL_DELAY = 7
    settings.SITE_URL = "https://shortscience.example"

    response = Client().get("/robots.txt")
    lines = response.content.decode().splitlines()

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert lines[:2] == ["User-agent: *", "Crawl-delay: 7"]
    assert "Disallow: /search/" in lines
    assert "Sitemap: https://shortscience.example/sitemap.xml" in lines
