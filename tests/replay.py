"""A local replay of arXiv, Crossref, BibSonomy, dblp and ORCID over real HTTP.

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
        # Phrases joined by OR (a batch of titles) match an entry if any one does.
        phrases = [
            [
                w.lower()
                for w in re.findall(r"\w+", part)
                if w.lower() not in ("ti", "and")
            ]
            for part in query.split(" OR ")
        ]
        hits = [
            entry
            for entry in self.entries.values()
            if any(
                all(w in ENTRY_TITLE.search(entry)["title"].lower() for w in words)
                for words in phrases
            )
        ]
        limit = int(request.args.get("max_results", 10))
        return Response(feed(hits[:limit]), content_type="application/atom+xml")


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


DBLP_ENTRY_START = re.compile(r"^@", re.M)


class DblpReplay:
    """Serve dblp's publication search API for `toc:` queries from recorded BibTeX.

    Each fixture file tests/fixtures/dblp/toc_<venue path>_<name>.bib is dblp's whole
    answer for one table of contents; a request gets the slice of its entries that
    `f` (offset) and `h` (page size) ask for, in the recorded layout. An unknown table
    of contents answers with an empty body: no such answer is recorded, so this is an
    assumption, and the client stops on any short page whatever its content.
    """

    def __init__(self):
        self.tocs: dict[str, list[str]] = {}
        for path in (FIXTURES / "dblp").glob("toc_*.bib"):
            parts = path.stem.split("_")[1:]
            toc = "db/" + "/".join(parts[:-1]) + f"/{parts[-1]}.bht"
            text = path.read_text(encoding="utf-8")
            starts = [m.start() for m in DBLP_ENTRY_START.finditer(text)]
            ends = [*starts[1:], len(text)]
            self.tocs[toc] = [text[a:b] for a, b in zip(starts, ends, strict=True)]
        self.requests: list[dict[str, str]] = []
        self.fail_next: list[tuple[int, dict[str, str]]] = []

    def add(self, toc: str, entries: list[str]) -> None:
        self.tocs[toc] = entries

    def __call__(self, request: Request) -> Response:
        self.requests.append(dict(request.args))
        if self.fail_next:
            status, headers = self.fail_next.pop(0)
            return Response("Too Many Requests", status=status, headers=headers)
        query = request.args.get("q", "")
        match = re.fullmatch(r"toc:(?P<toc>\S+):", query)
        entries = self.tocs.get(match["toc"], []) if match else []
        offset = int(request.args.get("f", 0))
        size = int(request.args.get("h", 30))
        body = "".join(entries[offset : offset + size])
        return Response(body, content_type="text/plain; charset=utf-8")


OAI_RECORD = re.compile(r"<record>.*?</record>\n?", re.S)


class OaiReplay:
    """Serve arXiv's OAI-PMH ListRecords from the recorded arXiv-format page.

    The records are cut into pages of `page_size`; every page but the last ends with a
    resumption token, the last with the empty token element arXiv sends. Resuming asks
    for `verb` and `resumptionToken` only, as the protocol requires. `fail_next` queues
    answers to send before the real ones: by default the recorded 503 with Retry-After.
    """

    def __init__(self, page_size: int = 20):
        text = (FIXTURES / "oai" / "listrecords_arxiv_cs.xml").read_text(
            encoding="utf-8"
        )
        self.head = text[: text.index("<record>")]
        self.tail = "</ListRecords>\n</OAI-PMH>\n"
        self.records = OAI_RECORD.findall(text)
        self.page_size = page_size
        self.requests: list[dict[str, str]] = []
        self.fail_next: list[tuple[int, dict[str, str], str]] = []
        # Requests (counted from 1) answered with the recorded 503 instead.
        self.busy_requests: set[int] = set()
        recorded = json.loads(
            (FIXTURES / "oai" / "listrecords_503_then_200.json").read_text(
                encoding="utf-8"
            )
        )[0]
        headers = recorded["rawHeaders"]
        self.busy = (
            recorded["status"],
            {"Retry-After": headers[headers.index("Retry-After") + 1]},
            recorded["response"],
        )

    def record_like(
        self, index: int, arxiv_id: str, *, updated: str, categories: str
    ) -> str:
        """Return recorded record `index` as another paper's: id, dates and categories."""
        record = self.records[index]
        old = re.search(r"<id>(.*?)</id>", record)[1]
        record = record.replace(f"oai:arXiv.org:{old}", f"oai:arXiv.org:{arxiv_id}")
        record = record.replace(f"<id>{old}</id>", f"<id>{arxiv_id}</id>")
        record = re.sub(
            r"<categories>.*?</categories>",
            f"<categories>{categories}</categories>",
            record,
        )
        return re.sub(
            r"<updated>.*?</updated>", f"<updated>{updated}</updated>", record
        )

    def __call__(self, request: Request) -> Response:
        self.requests.append(dict(request.args))
        if self.fail_next or len(self.requests) in self.busy_requests:
            status, headers, body = (
                self.fail_next.pop(0) if self.fail_next else self.busy
            )
            return Response(
                body, status=status, headers=headers, content_type="text/html"
            )
        token = request.args.get("resumptionToken")
        start = int(token.split("|")[1]) - 1 if token else 0
        page = self.records[start : start + self.page_size]
        end = start + len(page)
        next_token = f"6965856|{end + 1}" if end < len(self.records) else ""
        body = (
            self.head
            + "".join(page)
            + f'<resumptionToken cursor="{start}" completeListSize="{len(self.records)}">'
            + f"{next_token}</resumptionToken>\n"
            + self.tail
        )
        return Response(body, content_type="text/xml")


class OrcidReplay:
    """Serve ORCID's /{orcid}/works from recorded answers (tests/fixtures/orcid/).

    A record with a recorded works_<orcid>.json (or the XML sample) answers with it;
    any other iD answers with ORCID's recorded 404. `down` answers 503 to everything.
    """

    def __init__(self):
        self.works: dict[str, tuple[str, str]] = {}
        for path in (FIXTURES / "orcid").glob("works_*"):
            orcid = path.stem.rsplit("_", 1)[1]
            kind = "application/xml" if path.suffix == ".xml" else JSON_ORCID
            self.works[orcid] = (path.read_text(encoding="utf-8"), kind)
        self.not_found = (FIXTURES / "orcid" / "error_404.json").read_text(
            encoding="utf-8"
        )
        self.requests: list[str] = []
        self.down = False

    def __call__(self, request: Request) -> Response:
        self.requests.append(request.path)
        if self.down:
            return Response("Service Unavailable", status=503)
        orcid = request.path.strip("/").split("/")[-2]
        if orcid in self.works:
            body, kind = self.works[orcid]
            return Response(body, content_type=kind)
        return Response(self.not_found, status=404, content_type=JSON_ORCID)


JSON_ORCID = "application/vnd.orcid+json; qs=4;charset=UTF-8"


class OpenReviewReplay:
    """Serve OpenReview's `GET /notes` (API 2 at /notes, API 1 at /v1/notes).

    The notes are the constructed fixtures in tests/fixtures/openreview/ (see its README:
    built from OpenReview's OpenAPI description and its Python client, not recorded).
    API 2 filters by `content.venueid` or by `invitation` (one of a note's
    `invitations`), API 1 by `invitation`; both page with `offset` and `limit` and answer
    `{"count": total, "notes": [...]}`. `fail_next` queues answers to send first.
    """

    def __init__(self):
        folder = FIXTURES / "openreview"
        self.v2 = json.loads((folder / "v2_notes_iclr2024.json").read_text("utf-8"))
        self.v1 = json.loads((folder / "v1_notes_iclr2017.json").read_text("utf-8"))
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail_next: list[tuple[int, dict[str, str]]] = []

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.requests.append((request.path, args))
        if self.fail_next:
            status, headers = self.fail_next.pop(0)
            return Response(
                json.dumps({"name": "Error", "message": "Unavailable"}),
                status=status,
                headers=headers,
                content_type="application/json",
            )
        if request.path.startswith("/v1/"):
            notes = [n for n in self.v1 if n["invitation"] == args.get("invitation")]
        elif "content.venueid" in args:
            notes = [
                n
                for n in self.v2
                if n["content"]["venueid"]["value"] == args["content.venueid"]
            ]
        else:
            notes = [n for n in self.v2 if args.get("invitation") in n["invitations"]]
        offset = int(args.get("offset", 0))
        limit = int(args.get("limit", 1000))
        body = {"count": len(notes), "notes": notes[offset : offset + limit]}
        return Response(json.dumps(body), content_type="application/json")
