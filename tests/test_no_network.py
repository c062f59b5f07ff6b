"""The suite cannot reach past loopback (pytest-socket, configured in pyproject.toml)."""

import socket

import pytest
import requests
from pytest_socket import SocketConnectBlockedError


def test_a_connection_beyond_loopback_is_refused_before_any_packet():
    # 192.0.2.0/24 is TEST-NET-1, never routed: a failure here is the guard, not a timeout.
    with (
        pytest.warns(UserWarning, match="192.0.2.1"),
        pytest.raises(SocketConnectBlockedError),
    ):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_loopback_is_allowed(httpserver):
    httpserver.expect_request("/ping").respond_with_data("pong")

    assert requests.get(httpserver.url_for("/ping"), timeout=5).text == "pong"
