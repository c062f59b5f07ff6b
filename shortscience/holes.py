"""Personal parts of a page kept for every signed-in reader: holes.

A page body kept for all signed-in readers cannot hold what differs between them: the
state of a follow button, a vote form's "your vote", the link to one's own summary.
Rendered for keeping, each such part leaves a marker in the HTML and keeps its possible
renderings (its states) beside it; each request then picks, per marker, the state that
fits its reader, with a fixed number of small queries for the whole page.

    holes = Holes()
    html = render_to_string(template, {..., "holes": holes})   # tags call holes.add
    kept = {"parts": holes.split(html), "holes": holes.items}
    ...
    html = fill(kept["parts"], kept["holes"], pick)            # pick(hole) -> HTML

Template tags find the collector as `holes` in their context (`holes_of`); without one
they render for the request's own reader, as on any other page.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

# Postgres text cannot hold a NUL character, so no title, summary or name holds one.
_MARK = "\x00hole:{}\x00"
_SPLIT = re.compile("\x00hole:([0-9]+)\x00")

Hole = dict[str, Any]


class Holes:
    """The personal parts of a page being rendered for keeping."""

    def __init__(self) -> None:
        self.items: list[Hole] = []

    def add(self, kind: str, ident: object, states: Mapping[Any, str]) -> str:
        """Register a part with its renderings by state; return its marker."""
        self.items.append({"kind": kind, "id": ident, "states": dict(states)})
        return _MARK.format(len(self.items) - 1)

    @staticmethod
    def split(html: str) -> list[str]:
        """The rendered HTML cut at its markers: text, hole number, text, ..."""
        return _SPLIT.split(html)


def holes_of(context) -> Holes | None:
    """The collector of the page being rendered for keeping, if it is one."""
    holes = context.get("holes")
    return holes if isinstance(holes, Holes) else None


def fill(parts: list[str], holes: list[Hole], pick: Callable[[Hole], str]) -> str:
    """Join kept parts (Holes.split) with each hole's rendering for this reader."""
    out = list(parts)
    for i in range(1, len(out), 2):
        number = int(out[i])
        # A marker no hole registered can only come from stored text holding NUL
        # characters (which Postgres refuses but SQLite keeps): it stands for nothing.
        out[i] = pick(holes[number]) if number < len(holes) else ""
    return "".join(out)
