"""Read what a reader typed into the search box, the way Postgres's websearch syntax does.

Words are ANDed, "quoted words" are a phrase, `or` between words means either, and a
leading `-` excludes a word. Postgres parses the text itself (websearch_to_tsquery);
this module decides whether the text has anything to search for at all, and writes
the same query for SQLite's FTS5, whose own syntax would choke on user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_LENGTH = 500

# Postgres's English stop words (tsearch_data/english.stop): websearch_to_tsquery drops
# them, so the SQLite query drops them too and both find the same papers.
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


class InvalidQuery(ValueError):
    """Raised when a search cannot run; `message` says why, in words for the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidCursor(InvalidQuery):
    """Raised for a broken page link; pages show the first page with this message."""

    def __init__(self) -> None:
        super().__init__(
            "That page link is broken or out of date; here is the first page."
        )


@dataclass
class Clause:
    """Words or phrases that must all match, and some that must not."""

    include: list[tuple[str, ...]] = field(default_factory=list)
    exclude: list[tuple[str, ...]] = field(default_factory=list)


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause]  # any one clause matching is enough

    @property
    def words(self) -> list[str]:
        """The words the query asks for, in order (those it leaves out are not among them)."""
        return [
            w for clause in self.clauses for phrase in clause.include for w in phrase
        ]

    @property
    def has_terms(self) -> bool:
        """Whether some clause has a word Postgres would search for (not a stop word)."""
        return any(w not in STOP_WORDS for w in self.words)

    def to_fts5(self) -> str:
        """Return an FTS5 MATCH expression with every word quoted (so never a syntax error)."""
        parts = []
        for clause in self.clauses:
            if not clause.include:
                continue
            expr = " AND ".join(_fts5_phrase(p) for p in clause.include)
            for phrase in clause.exclude:
                expr = f"({expr}) NOT {_fts5_phrase(phrase)}"
            parts.append(f"({expr})")
        return " OR ".join(parts)


def _fts5_phrase(words: tuple[str, ...]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def parse(text: str) -> ParsedQuery:
    """Split `text` into clauses of words and phrases; stop words outside phrases go."""
    clauses = [Clause()]
    for match in _TOKEN.finditer(text):
        negative, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                if clauses[-1].include or clauses[-1].exclude:
                    clauses.append(Clause())
                continue
            negative = "-" if bare.startswith("-") else ""
            words = tuple(w.lower() for w in _WORD.findall(bare))
            # One word alone is dropped when common; inside a hyphenated compound it stays.
            if len(words) == 1 and words[0] in STOP_WORDS:
                continue
        else:
            words = tuple(w.lower() for w in _WORD.findall(quoted))
        if not words:
            continue
        target = clauses[-1].exclude if negative else clauses[-1].include
        target.append(words)
    return ParsedQuery(
        text=text, clauses=[c for c in clauses if c.include or c.exclude]
    )


def check_text(text: str) -> None:
    """Raise InvalidQuery when `text` is too long or holds characters no index takes."""
    if len(text) > MAX_LENGTH:
        raise InvalidQuery(
            f"That search is {len(text)} characters long; the limit is {MAX_LENGTH}. "
            "A few words from the title, or an author's name, work best."
        )
    if "\x00" in text:
        raise InvalidQuery("The search contains a null character.")


def validate(text: str) -> ParsedQuery:
    """Parse `text`, or raise InvalidQuery with a message the search page can show."""
    check_text(text)
    parsed = parse(text)
    if not parsed.has_terms:
        if _WORD.search(text):
            raise InvalidQuery(
                "Every word of that search is too common to search for (or excluded). "
                "Add a distinctive word from the title, or an author's name."
            )
        raise InvalidQuery("Type at least one word or number to search for.")
    return parsed
