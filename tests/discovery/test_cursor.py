import datetime as dt

import pytest

from discovery import cursor


def test_round_trip():
    when = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
    token = cursor.encode("text", 0.125, 42, when)
    assert cursor.decode(token, str, float, int, dt.datetime) == (
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
        cursor.encode("text", 1.0),  # too few values
        cursor.encode("text", "high", 3),  # wrong type
        cursor.encode("text", 1.0, True),  # a bool is not an id
        cursor.encode("text", 1.0, 2**70),  # beyond any database integer
        cursor.encode("text", 10**400, 3),  # not a finite float
    ],
)
def test_garbage_is_refused(token):
    with pytest.raises(cursor.InvalidCursor):
        cursor.decode(token, str, float, int)
