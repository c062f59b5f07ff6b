"""Actions on summaries: write, autosave, publish, revise, restore, delete, hide, share,
vote, endorse and answer as an author, and the counts (scores and reputations) every
change of visibility keeps true."""

import io
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from authors.selectors import (
    claimed_author_ids,
    claimed_author_q,
    is_claimed_author,
)
from papers.models import Paper
from papers.services.coverage import venue_counts_changed
from shortscience import markup
from shortscience.cache import cache_touch
from shortscience.queue import enqueue
from shortscience.rendering import render_stored
from users.models import User
from users.policy import Action, ensure_can_write
from users.probation import probation_check, probation_hold

from .models import (
    AuthorResponse,
    Citation,
    Endorsement,
    Summary,
    SummaryRevision,
    UploadedImage,
    Vote,
)
from .signals import summary_changed, summary_published

MAX_BODY = 100_000
DELETED_KEPT_FOR = timedelta(days=30)


# Rendering --------------------------------------------------------------------------


def summary_render(*, summary_id: int) -> bool:
    """Render a summary's Markdown and store the HTML, unless the text changed meanwhile."""
    return render_stored(Summary, summary_id)


def _queue_render(summary: Summary) -> None:
    from .tasks import render_summary

    enqueue(render_summary, summary.pk)


def _touch_listed(summary: Summary) -> None:
    """Invalidate the pages that list a summary or count it (publish, delete, hide...)."""
    cache_touch("summary", summary.pk)
    cache_touch("paper-summaries", summary.paper_id)  # the paper's list of summaries
    cache_touch("user", summary.writer_id)
    venue_year: tuple[int | None, int | None] | None
    if Summary.paper.is_cached(summary):
        venue_year = (summary.paper.venue_id, summary.paper.year)
    else:
        venue_year = (
            Paper.objects.filter(pk=summary.paper_id)
            .values_list("venue_id", "year")
            .first()
        )
    if venue_year is not None:
        # Its venue-year's "N of M summarised".
        venue_counts_changed([venue_year])
    cache_touch("list", "summaries", "venues")


def _announce(summary: Summary, *, first_publish: bool) -> None:
    def send():
        if first_publish:
            summary_published.send(sender=Summary, summary=summary)
        summary_changed.send(sender=Summary, summary=summary)

    transaction.on_commit(send)


# Citations --------------------------------------------------------------------------


def _cited_paper_ids(keys: Iterable[tuple[str, str]]) -> list[int]:
    by_kind: dict[str, set[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, set()).add(value)
    query = Q(pk__in=[int(v) for v in by_kind.get("paper", ()) if v.isdigit()])
    query |= Q(arxiv_id__in=by_kind.get("arxiv", ())) | Q(
        doi__in=by_kind.get("doi", ())
    )
    return list(Paper.objects.filter(query).values_list("pk", flat=True))


def _record_citations(summary: Summary) -> None:
    keys = {(kind, value) for kind, value in markup.extract_citations(summary.body)}
    old = set(Citation.objects.filter(summary=summary).values_list("kind", "value"))
    if old != keys:
        # The cited papers' pages list the summaries citing them.
        cache_touch("paper", *_cited_paper_ids(old | keys))
    Citation.objects.filter(summary=summary).delete()
    Citation.objects.bulk_create(
        Citation(summary=summary, kind=kind, value=value[:255]) for kind, value in keys
    )


# Writing ----------------------------------------------------------------------------


def _clean(body: str) -> str:
    """Drop NUL characters: invisible, and refused by Postgres text columns."""
    return body.replace("\x00", "")


def _validate(body: str, *, publishing: bool) -> None:
    if len(body) > MAX_BODY:
        raise ValidationError(
            f"A summary can be at most {MAX_BODY:,} characters long; this one has {len(body):,}."
        )
    if publishing and not body.strip():
        raise ValidationError(
            "An empty summary cannot be published: write something first."
        )


def _next_revision_number(summary: Summary) -> int:
    last = summary.revisions.aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def _add_revision(summary: Summary, writer: User, note: str = "") -> SummaryRevision:
    return SummaryRevision.objects.create(
        summary=summary,
        number=_next_revision_number(summary),
        body=summary.body,
        writer=writer,
        note=note,
    )


@transaction.atomic
def summary_save(
    *,
    paper: Paper,
    writer: User,
    body: str,
    is_anonymous: bool = False,
    is_private: bool = False,
    publish: bool = False,
) -> Summary:
    """Save the writer's summary of a paper, creating it on the first save.

    A draft stays a draft until `publish`; a published summary stays published. Every
    save of a published summary whose text changed keeps a revision. The text is
    saved first; rendering is queued after commit.
    """
    ensure_can_write(
        writer, action=Action.SUMMARY_PUBLISH if publish else Action.SUMMARY_SAVE
    )
    body = _clean(body)
    # The writer's row before the summary's, in the order votes lock them.
    _lock_users([writer.pk])
    summary = (
        Summary.objects.select_for_update().filter(paper=paper, writer=writer).first()
    )
    creating = summary is None
    was_public = summary is not None and summary.is_public
    if summary is None:
        summary = Summary(paper=paper, writer=writer, arxiv_version=paper.arxiv_version)
    elif summary.deleted_at is not None:
        # Writing again after deleting starts from the new text.
        summary.deleted_at = None
        summary.status = Summary.Status.DRAFT
    first_publish = publish and summary.status == Summary.Status.DRAFT
    will_be_published = first_publish or summary.status == Summary.Status.PUBLISHED
    _validate(body, publishing=will_be_published)
    body_changed = creating or body != summary.body
    summary.body = body
    summary.is_anonymous = is_anonymous
    summary.is_private = is_private
    summary.pending_body = ""
    summary.pending_saved_at = None
    held = ""
    if will_be_published and body_changed:
        held = probation_check(
            writer, body=body, prior_posts=lambda: _posts_by(writer, summary)
        )
        if held:
            summary.is_hidden = True
    if first_publish:
        summary.status = Summary.Status.PUBLISHED
        summary.published_at = timezone.now()
    if body_changed:
        summary.rendered_by = ""  # marks the stored HTML as stale until the task runs
    summary.save()
    if held:
        probation_hold(summary=summary, reason=held)
    if summary.status == Summary.Status.PUBLISHED and (body_changed or first_publish):
        _add_revision(summary, writer)
    if body_changed:
        _record_citations(summary)
        _queue_render(summary)
    # Publishing, undeleting and the private and anonymous flags all move reputation.
    user_reputation_refresh(user_ids=[writer.pk])
    if was_public or summary.is_public:  # drafts and private summaries touch no page
        _touch_listed(summary)
    _announce(summary, first_publish=first_publish)
    return summary


def _posts_by(writer: User, summary: Summary) -> int:
    """Count the writer's posts before this one: other published summaries, comments."""
    summaries = (
        Summary.objects.filter(writer=writer, status=Summary.Status.PUBLISHED)
        .exclude(pk=summary.pk)
        .count()
    )
    # Comments sit in a higher app; the reverse relation counts them without importing it.
    return summaries + writer.comments.count()


@transaction.atomic
def summary_autosave(
    *,
    paper: Paper,
    writer: User,
    body: str,
    is_anonymous: bool = False,
    is_private: bool = False,
) -> Summary | None:
    """Keep what the writer is typing without publishing anything.

    A draft (new or existing) takes the text directly. A published summary keeps its
    public text and stores the edit as pending until the writer saves.
    Only drafts change here, and drafts count in no reputation.
    """
    ensure_can_write(writer, action=Action.SUMMARY_AUTOSAVE)
    body = _clean(body)
    _validate(body, publishing=False)
    summary = (
        Summary.objects.select_for_update()
        .filter(paper=paper, writer=writer, deleted_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if summary is None:
        if not body.strip():
            return None
        summary = Summary.objects.create(
            paper=paper,
            writer=writer,
            body=body,
            is_anonymous=is_anonymous,
            is_private=is_private,
            arxiv_version=paper.arxiv_version,
            pending_saved_at=now,
        )
        return summary
    if summary.status == Summary.Status.DRAFT:
        summary.body = body
        summary.is_anonymous = is_anonymous
        summary.is_private = is_private
        summary.rendered_by = ""
        summary.pending_saved_at = now
        summary.save(
            update_fields=[
                "body",
                "is_anonymous",
                "is_private",
                "rendered_by",
                "pending_saved_at",
                "updated_at",
            ]
        )
    elif body != summary.body:
        summary.pending_body = body
        summary.pending_saved_at = now
        summary.save(update_fields=["pending_body", "pending_saved_at", "updated_at"])
    return summary


def summary_save_from_admin(*, summary: Summary) -> Summary:
    """Save a summary edited in the admin and queue its rendering like any other save.

    Staff may change anything, the writer included: the counts of the summary, its
    writer and its former writer are refreshed.
    """
    if summary.status == Summary.Status.PUBLISHED and summary.published_at is None:
        summary.published_at = timezone.now()
    with transaction.atomic():
        former = (
            Summary.objects.filter(pk=summary.pk)
            .values_list("writer_id", flat=True)
            .first()
        )
        _lock_users([summary.writer_id, *([former] if former else [])])
        summary.rendered_by = ""
        summary.save()
        _record_citations(summary)
        _queue_render(summary)
        summary_counts_refresh(
            summary_ids=[summary.pk], writer_ids=[w for w in [former] if w]
        )
        _touch_listed(summary)
        if former:
            cache_touch("user", former)
    return summary


def summary_create(
    *,
    paper: Paper,
    writer: User,
    body: str,
    publish: bool = True,
    is_anonymous: bool = False,
    is_private: bool = False,
) -> Summary:
    """Create a summary in one step (demo content, the API); fails if one exists."""
    if Summary.objects.filter(paper=paper, writer=writer).exists():
        raise ValidationError(
            "You have already summarised this paper; edit that summary."
        )
    return summary_save(
        paper=paper,
        writer=writer,
        body=body,
        publish=publish,
        is_anonymous=is_anonymous,
        is_private=is_private,
    )


@transaction.atomic
def summary_restore_revision(
    *, summary: Summary, revision: SummaryRevision, by: User
) -> Summary:
    """Make an old revision's text current again, as a new revision."""
    ensure_can_write(by, action=Action.SUMMARY_SAVE)
    summary = Summary.objects.select_for_update().get(pk=summary.pk)
    summary.body = revision.body
    summary.rendered_by = ""
    summary.pending_body = ""
    summary.save(update_fields=["body", "rendered_by", "pending_body", "updated_at"])
    _add_revision(summary, by, note=f"restored revision {revision.number}")
    _record_citations(summary)
    if summary.is_public:
        cache_touch("summary", summary.pk)
    _queue_render(summary)
    _announce(summary, first_publish=False)
    return summary


@transaction.atomic
def summary_delete(*, summary: Summary) -> None:
    """Delete softly: the summary leaves every page; staff can restore it for 30 days."""
    _lock_users([summary.writer_id])  # before the summary row, as votes do
    summary.deleted_at = timezone.now()
    summary.save(update_fields=["deleted_at", "updated_at"])
    user_reputation_refresh(user_ids=[summary.writer_id])
    _touch_listed(summary)
    transaction.on_commit(lambda: summary_changed.send(sender=Summary, summary=summary))


# How long the writer may undo a deletion themselves; after that only staff can.
UNDO_DELETE_WINDOW = timedelta(minutes=15)


def summary_undo_deadline(*, summary: Summary) -> datetime | None:
    """Return until when the writer may undo the deletion, or None if that time is past."""
    if summary.deleted_at is None:
        return None
    deadline = summary.deleted_at + UNDO_DELETE_WINDOW
    return deadline if timezone.now() < deadline else None


@transaction.atomic
def summary_undelete(*, summary: Summary) -> None:
    """Bring back a softly deleted summary (staff, from the admin)."""
    _lock_users([summary.writer_id])  # before the summary row, as votes do
    summary.deleted_at = None
    summary.save(update_fields=["deleted_at", "updated_at"])
    user_reputation_refresh(user_ids=[summary.writer_id])
    _touch_listed(summary)
    transaction.on_commit(lambda: summary_changed.send(sender=Summary, summary=summary))


@transaction.atomic
def summary_set_hidden(*, summary: Summary, hidden: bool) -> Summary:
    """Hide a summary from every public page (moderation) or show it again.

    It is kept either way; its score leaves or rejoins its writer's reputation.
    """
    _lock_users([summary.writer_id])  # before the summary row, as votes do
    summary.is_hidden = hidden
    summary.save(update_fields=["is_hidden", "updated_at"])
    user_reputation_refresh(user_ids=[summary.writer_id])
    _touch_listed(summary)
    transaction.on_commit(lambda: summary_changed.send(sender=Summary, summary=summary))
    return summary


def summaries_purge_deleted() -> int:
    """Remove for good the summaries deleted more than 30 days ago."""
    cutoff = timezone.now() - DELETED_KEPT_FOR
    # Deleted summaries left every page when they were deleted: no page changes now.
    count, _ = Summary.objects.filter(deleted_at__lt=cutoff).delete()
    return count


def summary_share_link(*, summary: Summary, enable: bool) -> Summary:
    """Renew (enable=True: a new link, the old one stops working) or revoke the share link."""
    summary.share_token = secrets.token_urlsafe(24)
    summary.share_enabled = enable
    summary.save(update_fields=["share_token", "share_enabled", "updated_at"])
    return summary


# Images -----------------------------------------------------------------------------

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
MAX_IMAGE_PIXELS = 40_000_000


def image_upload(*, owner: User, data: bytes, name: str = "") -> UploadedImage:
    """Check an uploaded image by its content, re-encode it without metadata, store it."""
    ensure_can_write(owner, action=Action.IMAGE_UPLOAD)
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError("Images can be at most 5 MB.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "This file is not an image we can read (PNG, JPEG, GIF or WebP)."
        ) from exc
    if kind not in IMAGE_FORMATS:
        raise ValidationError(
            f"{kind} images are not accepted: use PNG, JPEG, GIF or WebP."
        )
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image: Image.Image = opened
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "This image has too many pixels (at most 40 megapixels)."
                )
            out = io.BytesIO()
            save_kwargs = {}
            if kind == "GIF" and getattr(image, "is_animated", False):
                save_kwargs = {"save_all": True, "loop": image.info.get("loop", 0)}
            elif kind == "JPEG":
                image = image.convert("RGB")
                save_kwargs = {"quality": 90, "optimize": True}
            # Saving a fresh image drops EXIF, GPS and other metadata.
            image.save(out, format=kind, **save_kwargs)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            "This image could not be processed; try another file."
        ) from exc
    filename = f"{secrets.token_hex(8)}.{IMAGE_FORMATS[kind]}"
    uploaded = UploadedImage(owner=owner, width=image.width, height=image.height)
    uploaded.file.save(filename, ContentFile(out.getvalue()), save=True)
    return uploaded


# Counts -----------------------------------------------------------------------------
#
# A summary's score is the sum of its votes, leaving out the votes of the paper's claimed
# authors (recorded, not counted). A writer's reputation is the sum of the scores of their
# public (published, not private, not deleted, not hidden), non-anonymous summaries.
# Every change of votes, of visibility or of a paper's claimed authors calls one of these.


def _lock_users(user_ids: Iterable[int]) -> list[int]:
    """Lock the users' rows, in a fixed order, so concurrent recounts take turns."""
    ids = sorted(set(user_ids))
    if ids:
        list(User.objects.select_for_update().filter(pk__in=ids).values("pk"))
    return ids


def _store_counts(
    model, field: str, counts: dict, ids: Iterable[int], *, cache_kind: str
) -> None:
    """Write each row's count (0 when absent); only rows that changed touch the cache."""
    for pk in ids:
        value = counts.get(pk) or 0
        if (
            model.objects.filter(pk=pk)
            .exclude(**{field: value})
            .update(**{field: value})
        ):
            cache_touch(cache_kind, pk)


@transaction.atomic
def user_reputation_refresh(*, user_ids: Iterable[int]) -> None:
    """Recount the reputation of these users from their summaries' scores."""
    ids = _lock_users(user_ids)
    if not ids:
        return
    sums = dict(
        Summary.objects.public()
        .filter(writer_id__in=ids, is_anonymous=False)
        .order_by()
        .values("writer_id")
        .annotate(s=Sum("score"))
        .values_list("writer_id", "s")
    )
    _store_counts(User, "reputation", sums, ids, cache_kind="reputation")


@transaction.atomic
def summary_counts_refresh(
    *, summary_ids: Iterable[int], writer_ids: Iterable[int] = ()
) -> None:
    """Recount these summaries' scores from their votes, then their writers' reputation.

    writer_ids names more users to recount, such as a summary's former writer.
    """
    summary_ids = sorted(set(summary_ids))
    writers = set(writer_ids) | set(
        Summary.objects.filter(pk__in=summary_ids).values_list("writer_id", flat=True)
    )
    _lock_users(writers)
    scores = dict(
        Vote.objects.filter(summary_id__in=summary_ids)
        # A claimed author's vote on a summary of their own paper does not count.
        .exclude(claimed_author_q(paper_ref="summary__paper_id", user_ref="user_id"))
        .order_by()
        .values("summary_id")
        .annotate(s=Sum("value"))
        .values_list("summary_id", "s")
    )
    _store_counts(Summary, "score", scores, summary_ids, cache_kind="score")
    user_reputation_refresh(user_ids=writers)


# Votes ------------------------------------------------------------------------------


@transaction.atomic
def vote_set(*, user: User, summary: Summary, value: int) -> int:
    """Set (value +1/-1) or remove (value 0) a user's vote on a summary; return the new score.

    Voting twice the same way changes nothing. Writers cannot vote on their own summaries.
    """
    ensure_can_write(user, action=Action.VOTE)
    if value not in (-1, 0, 1):
        raise ValueError("a vote is +1, -1 or 0 (remove)")
    if summary.writer_id == user.pk:
        raise PermissionError("you cannot vote on your own summary")
    # One vote on a writer's summaries at a time: two recounts side by side would each
    # miss the other's vote and the later one would overwrite the score and reputation.
    _lock_users([summary.writer_id])
    if value == 0:
        Vote.objects.filter(user=user, summary=summary).delete()
    else:
        Vote.objects.update_or_create(
            user=user, summary=summary, defaults={"value": value}
        )
    summary_counts_refresh(summary_ids=[summary.pk])
    return Summary.objects.values_list("score", flat=True).get(pk=summary.pk)


# Authors' voice ----------------------------------------------------------------------
#
# A paper's claimed authors (authors/) may endorse its public summaries and answer each
# with one author response. Their votes on those summaries are kept but not counted.


def _require_paper_author(user: User, summary: Summary, doing: str) -> None:
    if not summary.is_public:
        raise ValidationError(f"Only a public summary can be {doing}.")
    if not is_claimed_author(paper_id=summary.paper_id, user=user):
        raise PermissionDenied(
            "Only the paper's claimed authors can do this: claim authorship of the "
            "paper from its page first."
        )
    if summary.writer_id == user.pk:
        raise PermissionDenied("This is your own summary.")


@transaction.atomic
def endorsement_set(*, user: User, summary: Summary, endorse: bool) -> bool:
    """Endorse a summary of one's own paper, or withdraw the endorsement; return whether
    the user endorses it now."""
    ensure_can_write(user, action=Action.ENDORSE)
    _require_paper_author(user, summary, "endorsed")
    if endorse:
        _, changed = Endorsement.objects.get_or_create(summary=summary, author=user)
    else:
        changed = bool(
            Endorsement.objects.filter(summary=summary, author=user).delete()[0]
        )
    if changed:
        cache_touch("summary", summary.pk)  # summary cards show the endorsement too
        transaction.on_commit(
            lambda: summary_changed.send(sender=Summary, summary=summary)
        )
    return endorse


def author_response_render(*, response_id: int) -> bool:
    """Render an author response's Markdown and store the HTML."""
    return render_stored(AuthorResponse, response_id)


@transaction.atomic
def author_response_save(*, user: User, summary: Summary, body: str) -> AuthorResponse:
    """Post or edit the user's author response to a summary of their paper."""
    ensure_can_write(user, action=Action.AUTHOR_RESPONSE)
    _require_paper_author(user, summary, "answered")
    body = _clean(body)
    if not body.strip():
        raise ValidationError("An author response cannot be empty.")
    if len(body) > AuthorResponse.MAX_BODY:
        raise ValidationError(
            f"An author response can be at most {AuthorResponse.MAX_BODY:,} "
            f"characters long; this one has {len(body):,}."
        )
    response = (
        AuthorResponse.objects.select_for_update()
        .filter(summary=summary, writer=user)
        .first()
    )
    if response is None:
        response = AuthorResponse(summary=summary, writer=user)
    elif response.body == body:
        return response
    else:
        response.edited_at = timezone.now()
    response.body = body
    response.rendered_by = ""
    response.save()
    from shortscience.tasks import render_row

    enqueue(render_row, "summaries.AuthorResponse", response.pk)
    # Shown on full summaries only (not on cards): "summary-voice", not "summary".
    cache_touch("summary-voice", summary.pk)
    cache_touch("authorresponse", response.pk)
    return response


@transaction.atomic
def author_response_delete(*, user: User, response: AuthorResponse) -> None:
    """Delete one's own author response."""
    if response.writer_id != user.pk:
        raise PermissionDenied("Only its writer can delete an author response.")
    summary_id = response.summary_id
    response.delete()
    cache_touch("summary-voice", summary_id)


@transaction.atomic
def author_response_set_hidden(
    *, response: AuthorResponse, hidden: bool
) -> AuthorResponse:
    """Hide an author response from readers (moderation) or show it again."""
    response.is_hidden = hidden
    response.save(update_fields=["is_hidden", "updated_at"])
    cache_touch("summary-voice", response.summary_id)
    cache_touch("authorresponse", response.pk)
    return response


@transaction.atomic
def summaries_claimed_authors_changed(*, paper_id: int, user_id: int) -> None:
    """Recount a paper's summaries after its claimed authors changed.

    A user who is no longer a claimed author loses their endorsements and author
    responses on the paper's summaries; their votes count again (or stop counting, for
    a new claimed author), which moves the scores and the writers' reputations.
    """
    if user_id not in claimed_author_ids(paper_id=paper_id):
        endorsed = Endorsement.objects.filter(
            author_id=user_id, summary__paper_id=paper_id
        )
        cache_touch("summary", *endorsed.values_list("summary_id", flat=True))
        endorsed.delete()
        answered = AuthorResponse.objects.filter(
            writer_id=user_id, summary__paper_id=paper_id
        )
        cache_touch("summary-voice", *answered.values_list("summary_id", flat=True))
        answered.delete()
    # Scores that move touch their summaries (and reputations their writers) there.
    ids = list(Summary.objects.filter(paper_id=paper_id).values_list("pk", flat=True))
    summary_counts_refresh(summary_ids=ids)
