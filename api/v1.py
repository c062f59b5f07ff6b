"""The JSON API, version 1: papers, summaries, venues, search, reading lists and authorship
claims; summary, claim, endorsement and author-response writes by token.

Reads are open to everyone; writes need a personal API token. Every answer is JSON:
errors are {"error": ...} (with "parameter" for 400s), lists page with opaque
cursors, successful reads carry an ETag and answer 304 to If-None-Match.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.responses import Status

from authors import services as author_services
from authors.models import AuthorClaim
from feeds.links import absolute
from lists import selectors as list_selectors
from lists.models import ReadingList
from papers import selectors as paper_selectors
from papers.models import Paper, Venue
from shortscience.identifiers import (
    Identifier,
    InvalidIdentifier,
    parse_arxiv_id,
    parse_doi,
)
from summaries import services as summary_services
from users.models import User

from . import selectors, services
from .auth import ClientRateThrottle, TokenAuth, request_user
from .pagination import BadCursor, Keyset, paginate
from .schemas import (
    AuthorResponseIn,
    AuthorResponseOut,
    ClaimIn,
    ClaimList,
    ClaimOut,
    EndorsementIn,
    Error,
    PaperOut,
    PaperPage,
    ReadingListOut,
    ReadingListRef,
    SummaryIn,
    SummaryOut,
    SummaryPage,
    SummaryPatch,
    VenueDetail,
    VenuePage,
)

DESCRIPTION = """\
Read papers, summaries and venues; write your own summaries with a personal API token.

* **Tokens**: make one on `/api/tokens/` and send it as `Authorization: Bearer <token>`.
  Reads need no token; a token raises your rate limit and shows you your own anonymous
  summaries.
* **Pages**: lists return `{"results": [...], "next": url}`; follow `next` (it carries an
  opaque `cursor`) until it is null.
* **Caching**: successful reads carry an `ETag`; send it back as `If-None-Match` and an
  unchanged answer is `304 Not Modified` with no body.
* **Errors**: `{"error": "..."}`; 400 answers also name the `parameter` at fault.
  Too many requests: `429` with `Retry-After` (seconds).
* Anonymous summaries are shown as written by "Anonymous"; private summaries and drafts
  are visible to their writer only.
* **Authors**: a user whose verified ORCID iD (connected by signing in with ORCID) belongs
  to a paper's author claims it; approved, they may endorse its summaries and post one
  author response to each. Their votes on those summaries are not counted in scores.
"""

MAX_ID = 2**63 - 1
# Identifiers never hold control characters (and PostgreSQL text cannot hold NUL).
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
SLUG = r"^[-a-zA-Z0-9_]+$"
USERNAME = r"^[\w.@+-]+$"
CURSOR = r"^[-A-Za-z0-9_:.]+$"
CURSOR_HELP = "The opaque cursor of the next page, as in the previous page's next link."

READ_ERRORS = {400: Error, 404: Error, 429: Error}
WRITE_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error}


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


class ShortScienceAPI(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        """Add an ETag to successful reads and answer 304 when the client has it."""
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            # A token can change an answer (own anonymous summaries), so caches key on it.
            patch_vary_headers(response, ["Authorization"])
            etag = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
            response["ETag"] = etag
            return (
                get_conditional_response(request, etag=etag, response=response)
                or response
            )
        return response


api = ShortScienceAPI(
    title="shortscience API",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="v1",
    openapi_url=None,
    docs_url=None,
    throttle=ClientRateThrottle(),
)


# Errors ----------------------------------------------------------------------------


def _error(request, message: str, status: int, parameter: str | None = None):
    body = {"error": message}
    if parameter is not None:
        body["parameter"] = parameter
    return api.create_response(request, body, status=status)


def _parameter_name(loc: tuple) -> str:
    """Name the parameter a ninja/pydantic error location points at."""
    source, *rest = loc or ("",)
    names = [str(part) for part in rest if not isinstance(part, int)]
    if source == "body":
        # ("body", "payload", "field"): the function's argument name is not the client's.
        return names[-1] if len(names) > 1 else "body"
    return names[-1] if names else str(source)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    parameter = _parameter_name(tuple(first.get("loc", ())))
    message = first.get("msg", "Invalid value")
    return _error(request, f"Invalid {parameter}: {message}.", 400, parameter)


@api.exception_handler(BadParameter)
def on_bad_parameter(request, exc: BadParameter):
    return _error(
        request, f"Invalid {exc.parameter}: {exc.message}", 400, exc.parameter
    )


@api.exception_handler(BadCursor)
def on_bad_cursor(request, exc: BadCursor):
    return _error(request, f"Invalid cursor: {exc}.", 400, "cursor")


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return _error(request, str(exc) or "Not found.", 404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc: AuthenticationError):
    response = _error(
        request,
        "This needs a personal API token: send 'Authorization: Bearer <token>' "
        "(make one on /api/tokens/).",
        401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="shortscience"'
    return response


@api.exception_handler(Throttled)
def on_throttled(request, exc: Throttled):
    wait = f" Retry in {int(exc.wait)} seconds." if exc.wait else ""
    return _error(request, f"Too many requests.{wait}", 429)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    # users.policy.WriteRefused says why in words meant for the writer.
    return _error(request, str(exc) or "You may not do this.", 403)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, str(exc), exc.status_code)


# Papers ----------------------------------------------------------------------------

PAPERS = Keyset()
SUMMARIES = Keyset("published_at")
# Venues read alphabetically, as the venue pages list them.
VENUES = Keyset("short_name", ascending=True)


def _paper_or_404(filters: Q, missing: str) -> Paper:
    paper = selectors.paper_list(filters=filters).first()
    if paper is None:
        raise Http404(missing)
    return paper


@api.get(
    "/papers",
    response={200: PaperPage, **READ_ERRORS},
    tags=["papers"],
    summary="List papers, newest first",
)
def list_papers(
    request,
    cursor: str | None = Query(
        None, pattern=CURSOR, max_length=500, description=CURSOR_HELP
    ),
    limit: int = Query(20, ge=1, le=100),
    venue: str | None = Query(
        None, pattern=SLUG, max_length=60, description="A venue's slug."
    ),
    year: int | None = Query(None, ge=1000, le=3000),
    summarised: bool | None = Query(
        None, description="true: only papers with public summaries."
    ),
):
    filters = Q()
    if venue is not None:
        venue_row = Venue.objects.filter(slug=venue).first()
        if venue_row is None:
            raise BadParameter("venue", f"There is no venue {venue!r}.")
        filters &= Q(venue=venue_row)
    if year is not None:
        filters &= Q(year=year)
    qs: QuerySet = selectors.paper_list(filters=filters)  # annotated with summary_count
    if summarised is not None:
        qs = (
            qs.filter(summary_count__gt=0) if summarised else qs.filter(summary_count=0)
        )
    return paginate(
        request, qs, keyset=PAPERS, name="papers", cursor=cursor, limit=limit
    )


@api.get(
    "/papers/{paper_id}",
    response={200: PaperOut, **READ_ERRORS},
    tags=["papers"],
    summary="Get a paper by the site's id",
)
def get_paper(request, paper_id: int = Path(..., ge=1, le=MAX_ID)):
    return _paper_or_404(Q(pk=paper_id), f"There is no paper {paper_id}.")


@api.get(
    "/papers/arxiv/{path:arxiv_id}",
    response={200: PaperOut, **READ_ERRORS},
    tags=["papers"],
    summary="Look up a paper by arXiv id",
    description="Any form: 1706.03762, 1706.03762v5, hep-th/9901001, arXiv:1706.03762.",
)
def get_paper_by_arxiv_id(
    request, arxiv_id: str = Path(..., pattern=ONE_LINE, max_length=100)
):
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidIdentifier as exc:
        raise BadParameter("arxiv_id", f"{arxiv_id!r} is not an arXiv id.") from exc
    return _paper_or_404(
        Q(arxiv_id=parsed.id), f"The site has no paper with arXiv id {parsed.id}."
    )


@api.get(
    "/papers/doi/{path:doi}",
    response={200: PaperOut, **READ_ERRORS},
    tags=["papers"],
    summary="Look up a paper by DOI",
    description="Bare (10.1038/nature14539) or as a doi.org link.",
)
def get_paper_by_doi(request, doi: str = Path(..., pattern=ONE_LINE, max_length=300)):
    parsed = parse_doi(doi)
    if parsed is None:
        raise BadParameter("doi", f"{doi!r} is not a DOI.")
    paper = paper_selectors.paper_find(Identifier("doi", parsed))
    if paper is None:
        raise Http404(f"The site has no paper with DOI {parsed}.")
    return _paper_or_404(Q(pk=paper.pk), f"The site has no paper with DOI {parsed}.")


@api.get(
    "/papers/{paper_id}/summaries",
    response={200: SummaryPage, **READ_ERRORS},
    tags=["summaries"],
    summary="List a paper's public summaries, newest first",
)
def list_paper_summaries(
    request,
    paper_id: int = Path(..., ge=1, le=MAX_ID),
    cursor: str | None = Query(
        None, pattern=CURSOR, max_length=500, description=CURSOR_HELP
    ),
    limit: int = Query(20, ge=1, le=100),
):
    paper = get_object_or_404(Paper.objects.only("pk"), pk=paper_id)
    qs = selectors.summary_list(filters=Q(paper=paper))
    return paginate(
        request,
        qs,
        keyset=SUMMARIES,
        name=f"paper-summaries-{paper.pk}",
        cursor=cursor,
        limit=limit,
    )


@api.get(
    "/search",
    response={200: PaperPage, **READ_ERRORS},
    tags=["papers"],
    summary="Search papers",
    description=(
        "The site's full-text search: titles, authors, keywords, abstracts and summary "
        "text, best match first. An arXiv id or DOI as the query finds that paper."
    ),
)
def search_papers(
    request,
    q: str = Query(..., min_length=2, max_length=200, pattern=ONE_LINE),
    cursor: str | None = Query(
        None, pattern=CURSOR, max_length=500, description=CURSOR_HELP
    ),
    limit: int = Query(20, ge=1, le=100),
):
    try:
        papers, next_cursor = selectors.paper_search(
            query=q, limit=limit, cursor=cursor
        )
    except selectors.BadSearchCursor as exc:
        raise BadParameter("cursor", str(exc)) from exc
    except selectors.BadSearch as exc:
        raise BadParameter("q", str(exc)) from exc
    next_url = None
    if next_cursor is not None:
        params = request.GET.copy()
        params["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"results": papers, "next": next_url}


# Reading lists ----------------------------------------------------------------------


@api.get(
    "/lists/{list_id}",
    response={200: ReadingListOut, **READ_ERRORS},
    tags=["lists"],
    summary="Get a reading list with its papers and notes, in order",
    description=(
        "Public lists are open to all; an unlisted one needs the `key` of its link; a "
        "private one answers only its owner's and editors' tokens."
    ),
)
def get_reading_list(
    request,
    list_id: int = Path(..., ge=1, le=MAX_ID),
    key: str | None = Query(None, pattern=r"^[-A-Za-z0-9_]+$", max_length=32),
):
    reading_list = (
        ReadingList.objects.select_related("owner").filter(pk=list_id).first()
    )
    viewer = request_user(request) or AnonymousUser()
    if reading_list is None or not list_selectors.list_can_view(
        reading_list=reading_list, user=viewer, key=key or ""
    ):
        raise Http404(f"There is no list {list_id}.")
    items = list(list_selectors.list_items(reading_list=reading_list))
    papers = selectors.paper_list(
        filters=Q(pk__in=[i.paper_id for i in items])
    ).in_bulk()
    return {
        "id": reading_list.pk,
        "title": reading_list.title,
        "description": reading_list.description,
        "visibility": reading_list.visibility,
        "owner": reading_list.owner.username,
        "editors": list(reading_list.editors.values_list("username", flat=True)),
        "url": absolute(reading_list.get_absolute_url()),
        "feed_url": absolute(reverse("lists:list-atom", args=[reading_list.pk]))
        if reading_list.is_public
        else None,
        "updated_at": reading_list.updated_at,
        "items": [
            {
                "position": number,
                "note": item.note,
                "added_at": item.added_at,
                "paper": papers[item.paper_id],
            }
            for number, item in enumerate(items, start=1)
        ],
    }


@api.get(
    "/users/{username}/lists",
    response={200: list[ReadingListRef], **READ_ERRORS},
    tags=["lists"],
    summary="List a user's public reading lists, most recently changed first",
)
def list_user_lists(
    request, username: str = Path(..., pattern=USERNAME, max_length=150)
):
    owner = get_object_or_404(User, username=username, is_active=True)
    return list(list_selectors.list_public_for_owner(owner=owner)[:100])


# Writers and venues -----------------------------------------------------------------


@api.get(
    "/users/{username}/summaries",
    response={200: SummaryPage, **READ_ERRORS},
    tags=["summaries"],
    summary="List a writer's public summaries, newest first",
    description="Anonymous summaries are listed only to their writer (with a token).",
)
def list_writer_summaries(
    request,
    username: str = Path(..., pattern=USERNAME, max_length=150),
    cursor: str | None = Query(
        None, pattern=CURSOR, max_length=500, description=CURSOR_HELP
    ),
    limit: int = Query(20, ge=1, le=100),
):
    writer = User.objects.filter(username=username, is_active=True).first()
    if writer is None:
        raise Http404(f"There is no user {username!r}.")
    qs = selectors.summary_list_for_writer(writer=writer, viewer=request_user(request))
    return paginate(
        request,
        qs,
        keyset=SUMMARIES,
        name=f"writer-summaries-{writer.pk}",
        cursor=cursor,
        limit=limit,
    )


@api.get(
    "/venues",
    response={200: VenuePage, **READ_ERRORS},
    tags=["venues"],
    summary="List venues, newest first",
)
def list_venues(
    request,
    cursor: str | None = Query(
        None, pattern=CURSOR, max_length=500, description=CURSOR_HELP
    ),
    limit: int = Query(20, ge=1, le=100),
):
    return paginate(
        request,
        selectors.venue_list(),
        keyset=VENUES,
        name="venues",
        cursor=cursor,
        limit=limit,
    )


@api.get(
    "/venues/{slug}",
    response={200: VenueDetail, **READ_ERRORS},
    tags=["venues"],
    summary="Get a venue and its years",
)
def get_venue(request, slug: str = Path(..., pattern=SLUG, max_length=60)):
    venue = selectors.venue_list().filter(slug=slug).first()
    if venue is None:
        raise Http404(f"There is no venue {slug!r}.")
    venue.years = selectors.venue_years(venue=venue)  # type: ignore[attr-defined]  # read by VenueDetail
    return venue


# Summaries -------------------------------------------------------------------------


@api.get(
    "/summaries/{summary_id}",
    response={200: SummaryOut, **READ_ERRORS},
    tags=["summaries"],
    summary="Get a summary",
    description=(
        "Public summaries for everyone; drafts and private ones for their writer; "
        "hidden ones for their writer and moderators."
    ),
)
def get_summary(request, summary_id: int = Path(..., ge=1, le=MAX_ID)):
    summary = selectors.summary_get_visible(pk=summary_id, viewer=request_user(request))
    if summary is None:
        raise Http404(f"There is no summary {summary_id}.")
    return summary


@api.post(
    "/summaries",
    response={201: SummaryOut, 409: Error, **WRITE_ERRORS},
    auth=TokenAuth(),
    tags=["summaries"],
    summary="Write a summary",
    description="One summary per writer and paper: a second one answers 409.",
)
def create_summary(request, payload: SummaryIn):
    paper = Paper.objects.filter(pk=payload.paper_id).first()
    if paper is None:
        raise Http404(f"There is no paper {payload.paper_id}.")
    try:
        summary = services.api_summary_create(
            writer=request.auth,
            paper=paper,
            body=payload.body,
            is_anonymous=payload.anonymous,
            is_private=payload.private,
            publish=payload.publish,
        )
    except services.SummaryExists as exc:
        where = f" (summary {exc.summary_id})" if exc.summary_id else ""
        return Status(
            409,
            {"error": f"You have already summarised this paper{where}; edit it."},
        )
    except DjangoValidationError as exc:
        raise BadParameter("body", " ".join(exc.messages)) from exc
    # Rendering ran on commit when no broker is configured; show its result if so.
    summary.refresh_from_db(fields=["body_html"])
    return Status(201, summary)


@api.patch(
    "/summaries/{summary_id}",
    response={200: SummaryOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    tags=["summaries"],
    summary="Edit your summary",
    description="Fields left out (or null) stay as they are.",
)
def edit_summary(
    request, payload: SummaryPatch, summary_id: int = Path(..., ge=1, le=MAX_ID)
):
    summary = selectors.summary_get_visible(pk=summary_id, viewer=request.auth)
    if summary is None:
        raise Http404(f"There is no summary {summary_id}.")
    if summary.writer_id != request.auth.pk:
        raise HttpError(403, "You can only edit your own summaries.")
    try:
        summary = services.summary_edit(
            summary=summary,
            body=payload.body,
            is_anonymous=payload.anonymous,
            is_private=payload.private,
            publish=payload.publish,
        )
    except services.CannotUnpublish as exc:
        raise BadParameter("publish", str(exc)) from exc
    except DjangoValidationError as exc:
        raise BadParameter("body", " ".join(exc.messages)) from exc
    summary.refresh_from_db(fields=["body_html"])
    return summary


# Authors' claims, endorsements, responses --------------------------------------------


@api.get(
    "/papers/{paper_id}/claims",
    response={200: ClaimList, **READ_ERRORS},
    tags=["authors"],
    summary="List a paper's claimed authors",
    description=(
        "Approved claims for everyone; with a token, also your own claims on the "
        "paper, whatever their state."
    ),
)
def list_paper_claims(request, paper_id: int = Path(..., ge=1, le=MAX_ID)):
    paper = get_object_or_404(Paper.objects.only("pk"), pk=paper_id)
    claims = selectors.claim_list_for_paper(paper=paper, viewer=request_user(request))
    return {"results": list(claims)}


@api.post(
    "/papers/{paper_id}/claims",
    response={201: ClaimOut, 409: Error, **WRITE_ERRORS},
    auth=TokenAuth(),
    tags=["authors"],
    summary="Claim authorship of a paper",
    description=(
        "Needs a verified ORCID iD (403 without). A listed author whose public ORCID "
        "record lists the paper is approved at once; every other claim is pending "
        "until a moderator decides. A second active claim answers 409."
    ),
)
def create_claim(request, payload: ClaimIn, paper_id: int = Path(..., ge=1, le=MAX_ID)):
    paper = get_object_or_404(Paper, pk=paper_id)
    try:
        claim = author_services.claim_create(
            user=request.auth, paper=paper, note=payload.note
        )
    except DjangoValidationError as exc:
        message = " ".join(exc.messages)
        if exc.code == "claim_exists":
            return Status(409, {"error": message})
        if exc.code == "no_verified_orcid":
            raise HttpError(403, message) from exc
        raise BadParameter("note", message) from exc
    # The ORCID check ran on commit when no broker is configured.
    claim.refresh_from_db()
    return Status(201, claim)


@api.delete(
    "/claims/{claim_id}",
    response={200: ClaimOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    tags=["authors"],
    summary="Withdraw your claim",
    description="A claim that is no longer pending or approved answers 400.",
)
def withdraw_claim(request, claim_id: int = Path(..., ge=1, le=MAX_ID)):
    claim = (
        AuthorClaim.objects.select_related("user", "author")
        .filter(pk=claim_id, user=request.auth)
        .first()
    )
    if claim is None:
        raise Http404(f"You have no claim {claim_id}.")
    try:
        author_services.claim_withdraw(claim=claim, user=request.auth)
    except DjangoValidationError as exc:
        raise BadParameter("claim_id", " ".join(exc.messages)) from exc
    claim.refresh_from_db()
    return claim


def _summary_for_author(request, summary_id: int):
    summary = selectors.summary_get_visible(pk=summary_id, viewer=request.auth)
    if summary is None:
        raise Http404(f"There is no summary {summary_id}.")
    return summary


@api.put(
    "/summaries/{summary_id}/endorsement",
    response={200: SummaryOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    tags=["authors"],
    summary="Endorse a summary of your paper, or withdraw the endorsement",
    description="For the paper's claimed authors only (403 for anyone else).",
)
def set_endorsement(
    request, payload: EndorsementIn, summary_id: int = Path(..., ge=1, le=MAX_ID)
):
    summary = _summary_for_author(request, summary_id)
    try:
        summary_services.endorsement_set(
            user=request.auth, summary=summary, endorse=payload.endorse
        )
    except DjangoValidationError as exc:
        raise BadParameter("summary_id", " ".join(exc.messages)) from exc
    return selectors.summary_get_visible(pk=summary.pk, viewer=request.auth)


@api.put(
    "/summaries/{summary_id}/author-response",
    response={200: AuthorResponseOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    tags=["authors"],
    summary="Post or edit your author response to a summary of your paper",
    description="One per author and summary; for the paper's claimed authors only.",
)
def put_author_response(
    request, payload: AuthorResponseIn, summary_id: int = Path(..., ge=1, le=MAX_ID)
):
    summary = _summary_for_author(request, summary_id)
    try:
        response = summary_services.author_response_save(
            user=request.auth, summary=summary, body=payload.body
        )
    except DjangoValidationError as exc:
        raise BadParameter("body", " ".join(exc.messages)) from exc
    response.refresh_from_db(fields=["body_html"])
    return response
