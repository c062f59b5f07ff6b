import datetime as dt

import pytest

from shortscience.pagination import InvalidCursor, decode_cursor, encode_cursor


def test_round_trip():
    when = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
    token = encode_cursor("text", 0.125, 42, when)
    assert decode_cursor(token, str, float, int, dt.datetime) == (
        "text",
        0.125,
        42,
        when,
    )


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!!",
        "x" * 500,
        encode_cursor("text", 1.0),  # too few values
        encode_cursor("text", "high", 3),  # wrong type
        encode_cursor("text", 1.0, True),  # a bool is not an id
        encode_cursor("text", 1.0, 2**70),  # beyond any database integer
        encode_cursor("text", 10**400, 3),  # not a finite float
    ],
)
def test_garbage_is_refused(token):
    with pytest.raises(InvalidCursor):
        decode_cursor(token, str, float, int)
