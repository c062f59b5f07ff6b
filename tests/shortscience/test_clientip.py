"""The client's address: X-Forwarded-For is believed only from trusted proxies."""

import pytest
from django.test import RequestFactory

from shortscience.clientip import client_ip
from users.adapters import AccountAdapter


def request_from(remote: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.fixture
def no_trusted_proxies(settings):
    settings.TRUSTED_PROXY_NETWORKS = []
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def behind_proxies(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    settings.TRUSTED_PROXY_COUNT = 0


def test_without_trusted_proxies_the_header_is_ignored(no_trusted_proxies):
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_trusted_proxy_names_the_client(behind_proxies):
    assert client_ip(request_from("10.1.2.3", "198.51.100.1")) == "198.51.100.1"


def test_an_untrusted_client_cannot_forge_its_address(behind_proxies):
    # Straight to the app, not through the proxy: its own header is ignored.
    assert client_ip(request_from("203.0.113.7", "10.9.9.9, 1.2.3.4")) == "203.0.113.7"


def test_a_forged_entry_before_the_proxies_own_is_skipped(behind_proxies):
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    request = request_from("10.1.2.3", "1.2.3.4, 198.51.100.1")
    assert client_ip(request) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked(behind_proxies):
    request = request_from("10.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.2")
    assert client_ip(request) == "198.51.100.1"


def test_a_garbled_entry_stops_at_the_last_trusted_hop(behind_proxies):
    request = request_from("10.0.0.1", "198.51.100.1, not-an-address")
    assert client_ip(request) == "10.0.0.1"


def test_ipv6_and_ports_are_understood(behind_proxies):
    assert client_ip(request_from("fd00::1", "[2001:db8::5]:4711")) == "2001:db8::5"
    assert client_ip(request_from("::ffff:10.0.0.1", "198.51.100.1:80")) == (
        "198.51.100.1"
    )


def test_a_proxy_count_takes_the_address_that_many_hops_back(settings):
    settings.TRUSTED_PROXY_NETWORKS = []
    settings.TRUSTED_PROXY_COUNT = 2
    # A load balancer then nginx: the load balancer appended the client's address.
    request = request_from("10.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.9")
    assert client_ip(request) == "198.51.100.1"
    assert client_ip(request_from("10.0.0.1")) == "10.0.0.1"


def test_no_address_at_all_is_unknown(no_trusted_proxies):
    assert client_ip(request_from("")) == "unknown"


def test_sign_in_counts_by_the_same_address(behind_proxies):
    request = request_from("10.1.2.3", "1.2.3.4, 198.51.100.1")
    assert AccountAdapter(request).get_client_ip(request) == "198.51.100.1"


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_write_limit(client, no_trusted_proxies):
    # Each request claims a new address; all come from one client: one bucket.
    statuses = [
        client.post(
            "/accounts/login/",
            {"login": "x", "password": "y"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 250}",
        ).status_code
        for n in range(125)
    ]
    assert 429 in statuses


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_write_limit(client, behind_proxies):
    # Every request reaches the app from the proxy; each client has a handful of writes.
    statuses = [
        client.post(
            "/accounts/login/",
            {"login": "x", "password": "y"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 125}",
        ).status_code
        for n in range(125)
    ]
    assert 429 not in statuses
