"""The outside clients that imports and title search use, in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .arxiv import ArxivClient
from .bibsonomy import BibsonomyClient
from .crossref import CrossrefClient


@dataclass
class Fetchers:
    """The outside clients an import uses; tests and benchmarks pass their own."""

    arxiv: Callable[[], ArxivClient] = ArxivClient.from_settings
    bibsonomy: Callable[[], BibsonomyClient] = BibsonomyClient.from_settings
    crossref: Callable[[], CrossrefClient] = CrossrefClient.from_settings
