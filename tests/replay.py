"""A local replay of arXiv, Crossref and BibSonomy over real HTTP.

Recorded entries (tests/fixtures/, in each service's real format) are served by a
pytest-httpserver instance: arXiv feeds are assembled from the recorded <entry>
elements for whatever `id_list` is asked, so any batch of known ids answers as arXiv
would, and unknown ids answer with an empty 200 feed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures"

FEED_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" '
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
    "  <id>https://arxiv.org/api/replay</id>\n"
    "  <title>arXiv Query</title>\n"
    "  <updated>2026-11-25T00:00:00Z</updated>\n"
    "  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>0</opensearch:startIndex>\n"
    "  <opensearch:itemsPerPage>{total}</opensearch:itemsPerPage>\n"
)
ENTRY = re.compile(r"<entry>.*?</entry>", re.S)
ENTRY_ID = re.compile(r"<id>https?://arxiv\.org/abs/(?P<id>.+?)(?:v\d+)?</id>")
ENTRY_TITLE = re.compile(r"<title>(?P<title>.*?)</title>", re.S)


def recorded_arxiv_entries() -> dict[str, str]:
    """Return every recorded arXiv <entry>, keyed by its id without version."""
    entries: dict[str, str] = {}
    for path in sorted((FIXTURES / "arxiv").glob("*.xml")):
        if path.name.startswith(("error", "empty")):
            continue
        for entry in ENTRY.findall(path.read_text(encoding="utf-8")):
            match = ENTRY_ID.search(entry)
            if match:
                entries.setdefault(match["id"], entry)
    return entries


def feed(entries: list[str]) -> str:
    return FEED_HEAD.format(total=len(entries)) + "\n".join(entries) + "\n</feed>\n"


class ArxivReplay:
    """Serve arXiv's /api/query from recorded entries; count the requests."""

    def __init__(self, entries: dict[str, str] | None = None):
        self.entries = recorded_arxiv_entries() if entries is None else entries
        self.requests: list[dict[str, str]] = []
        self.fail_next: list[tuple[int, dict[str, str]]] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(dict(request.args))
        if self.fail_next:
            status, headers = self.fail_next.pop(0)
            return Response("Service Unavailable", status=status, headers=headers)
        ids = [i for i in request.args.get("id_list", "").split(",") if i]
        if ids:
            keys = (re.sub(r"v\d+$", "", i) for i in ids)
            found = [self.entries[k] for k in keys if k in self.entries]
            return Response(feed(found), content_type="application/atom+xml")
        query = unquote(request.args.get("search_query", ""))
        words = [
            w.lower()
            for w in re.findall(r"\w+", query)
            if w.lower() not in ("ti", "and")
        ]
        hits = [
            entry
            for entry in self.entries.values()
            if all(w in ENTRY_TITLE.search(entry)["title"].lower() for w in words)
        ]
        return Response(feed(hits[:10]), content_type="application/atom+xml")


class CrossrefReplay:
    """Serve /works/{doi} from recorded Crossref JSON files named work_<suffix>.json."""

    def __init__(self):
        self.works: dict[str, str] = {}
        for path in (FIXTURES / "crossref").glob("work_*.json"):
            text = path.read_text(encoding="utf-8")
            self.works[json.loads(text)["message"]["DOI"].lower()] = text
        self.down = False  # answer every request with 503, as during an outage

    def __call__(self, request: Request) -> Response:
        if self.down:
            return Response("Service Unavailable", status=503)
        doi = unquote(request.path.split("/works/", 1)[1]).lower()
        if doi in self.works:
            return Response(self.works[doi], content_type="application/json")
        return Response("Resource not found.", status=404, content_type="text/plain")


class BibsonomyReplay:
    """Serve BibSonomy's /posts search and single posts from recorded XML."""

    def __init__(self, user: str = "tester", key: str = "secret"):
        self.auth = (user, key)

    def __call__(self, request: Request) -> Response:
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != self.auth:
            body = (FIXTURES / "bibsonomy" / "fail_auth.xml").read_text(
                encoding="utf-8"
            )
            return Response(
                body,
                status=401,
                content_type="text/xml",
                headers={"WWW-Authenticate": 'Basic realm="BibSonomyWebService"'},
            )
        name = "post.xml" if "/users/" in request.path else "search_posts.xml"
        body = (FIXTURES / "bibsonomy" / name).read_text(encoding="utf-8")
        return Response(body, content_type="text/xml")
