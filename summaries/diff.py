"""Word-level differences between two summary revisions, as HTML people can read.

The Markdown source is cut into tokens: whole math spans (`$...$`, `$$...$$`,
`\\(...\\)`, `\\[...\\]`; a `$` before or after a digit is a price,
not a delimiter; a `code span` is one token, so `$` in it is not math), words, runs of white space and single punctuation marks.
A math span is one token, so a changed formula shows as a whole old formula
deleted and a whole new one inserted, and those two are typeset so a reader sees
the formulas rather than their TeX. Everything else is escaped source text.

`revision_diff()` returns three HTML fragments: the inline view (deletions and
insertions interleaved, marked with <del> and <ins>) and the two columns of the
side-by-side view (old text with its deletions, new text with its insertions).
Long unchanged stretches are folded to their first and last lines.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shortscience import markup

_TOKEN = re.compile(
    r"""
    (?P<code>`[^`\n]+`)
  | (?P<math>
        \$\$.+?\$\$
      | \\\[.+?\\\]
      | \\\(.+?\\\)
      | \$(?![$\d])[^$\n]+?\$(?!\d)
    )
  | (?P<word>\w+)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Unchanged stretches longer than this many lines are folded.
FOLD_LINES = 6
# Lines kept visible at each side of a folded stretch.
CONTEXT_LINES = 2


@dataclass(frozen=True)
class Token:
    text: str
    math: bool

    def html(self) -> str:
        return escape(self.text)

    def typeset(self) -> str:
        """The formula typeset, with its TeX as a tooltip; plain text for other tokens."""
        if not self.math:
            return escape(self.text)
        rendered = markup.render(self.text).strip()
        if rendered.startswith("<p>") and rendered.endswith("</p>"):
            rendered = rendered[3:-4]
        return f'<span class="diff-math" title="{escape(self.text)}">{rendered}</span>'


@dataclass(frozen=True)
class RevisionDiff:
    inline: SafeString
    old: SafeString
    new: SafeString
    changed: bool


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.group(), m.lastgroup == "math") for m in _TOKEN.finditer(text or "")
    ]


def _opcodes(a: list[Token], b: list[Token]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, with lone blanks between two changes folded into the change.

    Without this "a b c" -> "x y z" reads as three separate replacements.
    """
    matcher = difflib.SequenceMatcher(
        None, [t.text for t in a], [t.text for t in b], autojunk=False
    )
    ops = matcher.get_opcodes()
    merged: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        between = 0 < index < len(ops) - 1
        if tag == "equal" and between and all(not t.text.strip() for t in a[i1:i2]):
            tag = "replace"
        if tag != "equal" and merged and merged[-1][0] != "equal":
            merged[-1][0] = "replace"
            merged[-1][2], merged[-1][4] = i2, j2
        else:
            merged.append([tag, i1, i2, j1, j2])
    return [(tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in merged]


def _changed(tokens: list[Token], tag: str) -> str:
    if not tokens:
        return ""
    body = "".join(t.typeset() for t in tokens)
    return f"<{tag}>{body}</{tag}>"


def _unchanged(text: str, *, first: bool, last: bool) -> str:
    lines = text.split("\n")
    keep_head = 0 if first else CONTEXT_LINES
    keep_tail = 0 if last else CONTEXT_LINES
    hidden = len(lines) - keep_head - keep_tail
    if len(lines) <= FOLD_LINES or hidden <= 1:
        return escape(text)
    head = "\n".join(lines[:keep_head])
    tail = "\n".join(lines[len(lines) - keep_tail :])
    note = f"… {hidden} unchanged line{'s' if hidden != 1 else ''} …"
    parts = [escape(head) + "\n" if keep_head else ""]
    parts.append(f'<span class="diff-fold">{note}</span>')
    parts.append("\n" + escape(tail) if keep_tail else "")
    return "".join(parts)


def revision_diff(old: str, new: str) -> RevisionDiff:
    """Compare two Markdown sources word by word."""
    a, b = tokenize(old), tokenize(new)
    ops = _opcodes(a, b)
    inline, left, right = [], [], []
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            text = "".join(t.text for t in a[i1:i2])
            same = _unchanged(text, first=index == 0, last=index == len(ops) - 1)
            inline.append(same)
            left.append(same)
            right.append(same)
            continue
        removed = _changed(a[i1:i2], "del")
        added = _changed(b[j1:j2], "ins")
        inline.append(removed + added)
        left.append(removed)
        right.append(added)
    return RevisionDiff(
        # Every part is escaped source or markup.render's sanitised HTML.
        inline=mark_safe("".join(inline)),  # noqa: S308  # nosec B308 B703
        old=mark_safe("".join(left)),  # noqa: S308  # nosec B308 B703
        new=mark_safe("".join(right)),  # noqa: S308  # nosec B308 B703
        changed=any(op[0] != "equal" for op in ops),
    )
