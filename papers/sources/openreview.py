"""OpenReview API client: the submissions of a venue-year and their decisions.

Two APIs serve OpenReview's data. API 2 (https://api2.openreview.net, described by
OpenReview's own OpenAPI file) holds venues from about 2023 on: a note's `content` fields
are objects `{"value": ...}`, and `content.venueid` says where a submission stands: the
venue's id ("ICLR.cc/2024/Conference") once accepted, or that id followed by
"/Rejected_Submission", "/Withdrawn_Submission", "/Desk_Rejected_Submission" (or
"/Submission" while under review); `content.venue` names the decision
("ICLR 2024 oral", "ICLR 2024 spotlight", "ICLR 2024 poster"). API 1
(https://api.openreview.net) holds the older years: `content` fields are plain values,
submissions answer the invitation "<venue>/-/Blind_Submission", and the decision is a
reply ("<venue>/-/Paper12/Decision" with `decision`, or a meta-review with
`recommendation`: "Accept (Oral)", "Accept (Poster)", "Reject"), read through
`details=directReplies`.

Both list notes `limit` (at most 1,000) at a time from `offset`; a page shorter than
asked for is the last. The client yields a page at a time, so memory holds one page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .http import HttpClient, MalformedResponse, raise_for_status

DEFAULT_API_URL = "https://api2.openreview.net"
DEFAULT_API_V1_URL = "https://api.openreview.net"
FORUM_URL = "https://openreview.net/forum?id={}"
# Both APIs answer at most 1,000 notes per request.
MAX_PAGE_SIZE = 1000

# Decisions as the site stores them. Accepted papers carry their presentation tier
# where the venue names one, else plain "accepted".
ORAL, SPOTLIGHT, POSTER, ACCEPTED = "oral", "spotlight", "poster", "accepted"
REJECTED, WITHDRAWN, DESK_REJECTED, PENDING = (
    "rejected",
    "withdrawn",
    "desk_rejected",
    "pending",
)
ACCEPTED_DECISIONS = frozenset({ORAL, SPOTLIGHT, POSTER, ACCEPTED})

_VENUEID_SUFFIXES = {
    "/Withdrawn_Submission": WITHDRAWN,
    "/Desk_Rejected_Submission": DESK_REJECTED,
    "/Rejected_Submission": REJECTED,
}


def decision_from_text(text: str) -> str:
    """Read a decision's words: "ICLR 2024 spotlight", "Accept (Oral)", "Reject"."""
    lowered = text.lower()
    if "withdraw" in lowered:
        return WITHDRAWN
    if "desk" in lowered and "reject" in lowered:
        return DESK_REJECTED
    if "reject" in lowered:
        return REJECTED
    if "submitted to" in lowered:
        return PENDING
    # ICLR 2020 called its orals talks.
    if "oral" in lowered or "talk" in lowered:
        return ORAL
    if "spotlight" in lowered:
        return SPOTLIGHT
    if "poster" in lowered:
        return POSTER
    if "accept" in lowered or re.search(r"\b(19|20)\d\d\b", lowered):
        return ACCEPTED
    return PENDING


def decision_from_venueid(venueid: str, venue: str, venue_id: str) -> str:
    """A v2 submission's decision from `content.venueid` and `content.venue`."""
    for suffix, decision in _VENUEID_SUFFIXES.items():
        if venueid.endswith(suffix):
            return decision
    if venueid == venue_id:
        decision = decision_from_text(venue)
        return decision if decision in ACCEPTED_DECISIONS else ACCEPTED
    return PENDING


@dataclass(frozen=True)
class OpenReviewRecord:
    """One submission of a venue-year, with its decision."""

    forum_id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    decision: str
    venue: str  # the decision's own words ("ICLR 2024 poster"), "" when none
    published: datetime | None  # when OpenReview made it public, if it says

    @property
    def forum_url(self) -> str:
        return FORUM_URL.format(self.forum_id)

    @property
    def accepted(self) -> bool:
        return self.decision in ACCEPTED_DECISIONS


def _value(content: Mapping[str, Any], name: str) -> Any:
    """A content field's value: `{"value": x}` in API 2, `x` itself in API 1."""
    field = content.get(name)
    if isinstance(field, Mapping):
        return field.get("value")
    return field


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return None


def _record(note: Mapping[str, Any], decision: str, venue: str) -> OpenReviewRecord:
    content = note.get("content")
    if not isinstance(content, Mapping):
        raise MalformedResponse("OpenReview note without content")
    authors = _value(content, "authors")
    return OpenReviewRecord(
        forum_id=str(note.get("forum") or note.get("id") or ""),
        title=_text(_value(content, "title")),
        authors=tuple(_text(a) for a in authors if isinstance(a, str) and a.strip())
        if isinstance(authors, list)
        else (),
        abstract=_text(_value(content, "abstract")),
        decision=decision,
        venue=venue,
        published=_timestamp(note.get("pdate"))
        or _timestamp(note.get("odate"))
        or _timestamp(note.get("cdate")),
    )


def _notes(payload: Any) -> list[Mapping[str, Any]]:
    notes = payload.get("notes") if isinstance(payload, Mapping) else None
    if not isinstance(notes, list) or not all(isinstance(n, Mapping) for n in notes):
        raise MalformedResponse("OpenReview answered without a list of notes")
    return notes


def parse_v2_notes(payload: Any, *, venue_id: str) -> list[OpenReviewRecord]:
    """Read an API 2 `GET /notes` answer (`{"count": n, "notes": [Note, ...]}`)."""
    records = []
    for note in _notes(payload):
        content = note.get("content") or {}
        venue = _text(_value(content, "venue"))
        venueid = _text(_value(content, "venueid"))
        records.append(
            _record(note, decision_from_venueid(venueid, venue, venue_id), venue)
        )
    return records


def _v1_decision(note: Mapping[str, Any]) -> tuple[str, str]:
    """An API 1 submission's decision, from its decision or meta-review reply."""
    details = note.get("details")
    replies = details.get("directReplies") if isinstance(details, Mapping) else None
    found = ""
    for reply in replies if isinstance(replies, list) else []:
        if not isinstance(reply, Mapping):
            continue
        invitation = str(reply.get("invitation") or "")
        raw = reply.get("content")
        content: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        if invitation.endswith("/Decision"):
            found = _text(content.get("decision")) or found
        elif invitation.endswith("/Meta_Review") and not found:
            found = _text(content.get("recommendation"))
    if str(note.get("invitation") or "").endswith("/Withdrawn_Submission"):
        return WITHDRAWN, found
    if str(note.get("invitation") or "").endswith("/Desk_Rejected_Submission"):
        return DESK_REJECTED, found
    return (decision_from_text(found) if found else PENDING), found


def parse_v1_notes(payload: Any) -> list[OpenReviewRecord]:
    """Read an API 1 `GET /notes` answer with `details=directReplies`."""
    records = []
    for note in _notes(payload):
        decision, words = _v1_decision(note)
        records.append(_record(note, decision, words))
    return records


class OpenReviewClient:
    """List a venue-year's submissions from OpenReview, one polite request per page."""

    def __init__(
        self,
        *,
        http: HttpClient,
        base_url: str = DEFAULT_API_URL,
        v1_base_url: str = DEFAULT_API_V1_URL,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        """Use `http` for every request (clients.openreview_client() builds one)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.base_url = base_url.rstrip("/")
        self.v1_base_url = v1_base_url.rstrip("/")
        self.page_size = page_size
        self.http = http

    def _get(self, base_url: str, params: dict[str, Any], what: str) -> Any:
        response = self.http.get(f"{base_url}/notes", params=params)
        raise_for_status(response, service="OpenReview", what=what)
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(f"OpenReview answered {what} with no JSON") from exc

    def _pages(
        self, base_url: str, params: dict[str, Any], what: str, parse
    ) -> Iterator[list[OpenReviewRecord]]:
        offset = 0
        while True:
            payload = self._get(
                base_url,
                {**params, "limit": self.page_size, "offset": offset},
                what,
            )
            records = parse(payload)
            if records:
                yield records
            if len(records) < self.page_size:
                return
            offset += len(records)

    def submissions(
        self, venue_id: str, *, accepted_only: bool = True
    ) -> Iterator[list[OpenReviewRecord]]:
        """Yield API 2's submissions to `venue_id` a page at a time.

        Accepted papers are asked for by `content.venueid`; every submission (rejected
        and withdrawn ones too) by the venue's submission invitation.
        """
        if accepted_only:
            params = {"content.venueid": venue_id}
        else:
            params = {"invitation": f"{venue_id}/-/Submission"}
        yield from self._pages(
            self.base_url,
            params,
            f"the submissions to {venue_id}",
            lambda payload: parse_v2_notes(payload, venue_id=venue_id),
        )

    def submissions_v1(self, venue_id: str) -> Iterator[list[OpenReviewRecord]]:
        """Yield API 1's blind submissions to `venue_id`, with their decisions."""
        yield from self._pages(
            self.v1_base_url,
            {
                "invitation": f"{venue_id}/-/Blind_Submission",
                "details": "directReplies",
            },
            f"the submissions to {venue_id}",
            parse_v1_notes,
        )
