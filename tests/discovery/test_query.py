import sqlite3

import pytest

from discovery.query import MAX_LENGTH, InvalidQuery, parse, validate


def test_words_are_anded_and_stop_words_dropped():
    parsed = parse("Attention is all you need")
    assert [c.include for c in parsed.clauses] == [[("attention",), ("need",)]]
    assert parsed.to_fts5() == '("attention" AND "need")'


def test_phrases_or_and_exclusions():
    parsed = parse('"neural network" or transformer -vision')
    assert parsed.clauses[0].include == [("neural", "network")]
    assert parsed.clauses[1].include == [("transformer",)]
    assert parsed.clauses[1].exclude == [("vision",)]
    assert parsed.to_fts5() == '("neural network") OR (("transformer") NOT "vision")'


def test_hyphenated_words_become_a_phrase():
    assert parse("self-supervised").clauses[0].include == [("self", "supervised")]


@pytest.mark.parametrize(
    "text",
    [
        '") OR 1=1 --',
        "title:secret NEAR(a b) *",
        "'; DROP TABLE papers_paper; --",
        'a"b"c',
        "AND OR NOT",
        "^caret +plus {braces}",
    ],
)
def test_fts5_query_never_has_a_syntax_error(text):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body)")
    db.execute("INSERT INTO t VALUES ('secret title', 'a b near drop table')")
    parsed = parse(text)
    if parsed.has_terms:
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", [parsed.to_fts5()]).fetchall()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one word"),
        ("?!;:", "at least one word"),
        ("the of and", "too common"),
        ('"the in"', "too common"),
        ("-transformer", "too common"),
        ("x" * (MAX_LENGTH + 1), "the limit is 500"),
        ("null\x00byte", "null character"),
    ],
)
def test_validate_explains_what_is_wrong(text, message):
    with pytest.raises(InvalidQuery) as excinfo:
        validate(text)
    assert message in excinfo.value.message
