"""Demo content for `manage.py load_demo`, read from the data files beside this module.

`papers.toml` (venues and papers), `users.toml`, `summaries.toml` with one Markdown file
per summary in `summaries/`, `comments.toml` and `votes.toml`. Plain data, so it can be
read, edited and reviewed without Django. The demo users are fictitious.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent

DEMO_PASSWORD = "demo-password"  # noqa: S105 (published on purpose so visitors can sign in)  # nosec B105


def _read(name: str) -> dict:
    with (DEMO_DIR / name).open("rb") as f:
        return tomllib.load(f)


_papers = _read("papers.toml")

# (slug, short name, full name, kind, url)
VENUES: list[tuple[str, str, str, str, str]] = [
    (v["slug"], v["short_name"], v["name"], v["kind"], v["url"])
    for v in _papers["venues"]
]

# One dict per paper; "key" names it inside the demo files. arxiv_version and
# published_on are None when unknown (not on arXiv, no date), arxiv_id and doi "".
PAPERS: list[dict] = [
    {"arxiv_id": "", "arxiv_version": None, "doi": "", "published_on": None, **paper}
    for paper in _papers["papers"]
]

USERS: list[dict] = _read("users.toml")["users"]

SUMMARIES: list[dict] = [
    {
        **summary,
        "body": (
            DEMO_DIR / "summaries" / f"{summary['paper']}.{summary['writer']}.md"
        ).read_text(encoding="utf-8"),
    }
    for summary in _read("summaries.toml")["summaries"]
]

# A comment's summary is named by (paper key, summary writer).
COMMENTS: list[dict] = [
    {
        **{k: v for k, v in comment.items() if k not in ("paper", "summary_writer")},
        "summary": (comment["paper"], comment["summary_writer"]),
    }
    for comment in _read("comments.toml")["comments"]
]

# (voter, (paper key, summary writer), value)
VOTES: list[tuple[str, tuple[str, str], int]] = [
    (vote["voter"], (vote["paper"], vote["writer"]), vote["value"])
    for vote in _read("votes.toml")["votes"]
]
