"""Exports, the public data dump and the weekly digest."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import logging
import re
import tempfile
import zipfile

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from summaries.models import Summary
from users.models import User

from . import selectors
from .html import excerpt
from .links import absolute, site_url
from .models import DigestDelivery, DigestSubscription

logger = logging.getLogger(__name__)

LICENCE_ID = "CC-BY-4.0"
LICENCE_NAME = "Creative Commons Attribution 4.0 International"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_TEXT = (
    "Summaries are licensed under the Creative Commons Attribution 4.0 International "
    "licence (CC BY 4.0): you may share and adapt them for any purpose, provided you "
    "give appropriate credit, link to the licence and indicate if changes were made. "
    f"Full text: {LICENCE_URL}"
)


# Summary records -------------------------------------------------------------------


def summary_record(summary: Summary) -> dict:
    """Return the public data of a summary as plain JSON-ready data."""
    paper = summary.paper
    venue = paper.venue
    return {
        "type": "summary",
        "id": summary.pk,
        "url": absolute(summary.get_absolute_url()),
        "writer": summary.byline,
        # The username would unmask an anonymous summary.
        "writer_username": None if summary.is_anonymous else summary.writer.username,
        "anonymous": summary.is_anonymous,
        "published_at": summary.published_at.isoformat()
        if summary.published_at
        else None,
        "updated_at": summary.updated_at.isoformat(),
        "score": summary.score,
        "body": summary.body,
        "paper": {
            "id": paper.pk,
            "url": absolute(paper.get_absolute_url()),
            "title": paper.title,
            "authors": [a.author.name for a in paper.authorships.all()],
            "year": paper.year,
            "venue": venue.short_name if venue is not None else None,
            "arxiv_id": paper.arxiv_id or None,
            "doi": paper.doi or None,
        },
    }


# Markdown export ---------------------------------------------------------------------


def _front_matter(summary: Summary) -> str:
    record = summary_record(summary)
    paper = record["paper"]
    fields = {
        "title": f"Summary of {paper['title']}",
        "paper": paper["title"],
        "paper_url": paper["url"],
        "authors": paper["authors"],
        "year": paper["year"],
        "venue": paper["venue"],
        "arxiv": paper["arxiv_id"],
        "doi": paper["doi"],
        "writer": record["writer"],
        "anonymous": record["anonymous"],
        "published": record["published_at"],
        "url": record["url"],
        "licence": LICENCE_ID,
    }
    # JSON scalars and lists are valid YAML, and JSON quoting is unambiguous.
    lines = [
        f"{key}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in fields.items()
    ]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def summary_markdown_filename(summary: Summary) -> str:
    published = summary.published_at or summary.created_at
    slug = slugify(summary.paper.title)[:60].strip("-") or "paper"
    return f"{published:%Y-%m-%d}-{slug}-{summary.pk}.md"


def writer_summaries_zip(*, writer: User, requester) -> bytes:
    """Return a zip of the writer's public summaries as Markdown files.

    Anonymous summaries are left out unless the requester is the writer.
    """
    own = getattr(requester, "pk", None) == writer.pk
    summaries = selectors.summary_list_for_export(writer=writer, include_anonymous=own)
    folder = f"{writer.username}-summaries"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for summary in summaries:
            text = _front_matter(summary) + summary.body.rstrip() + "\n"
            archive.writestr(f"{folder}/{summary_markdown_filename(summary)}", text)
    return buffer.getvalue()


# Public data dump ------------------------------------------------------------------

DUMP_DIR = "dumps"
DUMP_KEEP = 7
_DUMP_NAME = re.compile(r"^shortscience-summaries-\d{4}-\d{2}-\d{2}\.jsonl\.gz$")


def dump_header(*, generated_at: dt.datetime) -> dict:
    return {
        "type": "header",
        "dataset": "shortscience public summaries",
        "site": site_url(),
        "generated_at": generated_at.isoformat(),
        "licence": LICENCE_ID,
        "licence_name": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "licence_text": LICENCE_TEXT,
        "attribution": (
            f"Summaries by their writers on shortscience ({site_url()}). Credit each "
            'summary by its "writer" and link its "url"; anonymous summaries are '
            'credited as "Anonymous".'
        ),
        "format": (
            "JSON Lines: this header, then one record per public summary "
            '("type": "summary"), ordered by id.'
        ),
    }


def dump_write(*, now: dt.datetime | None = None) -> str:
    """Write every public summary as gzipped JSON Lines to storage; return the file name.

    One file per day under dumps/; a second run the same day replaces that day's
    file, and files older than the last DUMP_KEEP are deleted.
    """
    now = now or timezone.now()
    name = f"{DUMP_DIR}/shortscience-summaries-{now:%Y-%m-%d}.jsonl.gz"
    with tempfile.TemporaryFile() as tmp:
        # mtime=0 keeps the gzip header stable, so equal data gives equal files.
        with gzip.GzipFile(fileobj=tmp, mode="wb", mtime=0) as gz:
            gz.write(_json_line(dump_header(generated_at=now)))
            for summary in selectors.summary_list_for_dump().iterator(chunk_size=500):
                gz.write(_json_line(summary_record(summary)))
        tmp.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, File(tmp, name=name))
    _dump_prune()
    return saved


def _json_line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode()


def dump_names() -> list[str]:
    """Return the stored dump files, newest first (names carry the date)."""
    try:
        _, files = default_storage.listdir(DUMP_DIR)
    except FileNotFoundError:
        return []
    return sorted((f for f in files if _DUMP_NAME.match(f)), reverse=True)


def dump_latest() -> str | None:
    """Return the storage name of the newest dump, or None before the first one."""
    names = dump_names()
    return f"{DUMP_DIR}/{names[0]}" if names else None


def _dump_prune() -> None:
    for old in dump_names()[DUMP_KEEP:]:
        default_storage.delete(f"{DUMP_DIR}/{old}")


# Weekly digest ---------------------------------------------------------------------

DIGEST_LENGTH = 10
_UNSUBSCRIBE_SALT = "feeds.digest.unsubscribe"


def digest_subscription_set(*, user: User, subscribed: bool) -> DigestSubscription:
    """Subscribe the user to the weekly digest, or unsubscribe them."""
    subscription, _ = DigestSubscription.objects.update_or_create(
        user=user, defaults={"subscribed": subscribed}
    )
    return subscription


def digest_is_subscribed(*, user: User) -> bool:
    return DigestSubscription.objects.filter(user=user, subscribed=True).exists()


def digest_unsubscribe_token(*, user: User) -> str:
    return signing.dumps(user.pk, salt=_UNSUBSCRIBE_SALT, compress=True)


def digest_user_from_token(token: str) -> User | None:
    """Return the user an unsubscribe token was made for, or None if it is not genuine."""
    try:
        pk = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk).first()


def digest_week(today: dt.date) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """Return the Monday of the last full week before `today`, and its [start, end)."""
    this_monday = today - dt.timedelta(days=today.weekday())
    monday = this_monday - dt.timedelta(days=7)
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=dt.UTC)
    return monday, start, start + dt.timedelta(days=7)


def digest_summaries(
    *, user: User, start: dt.datetime, end: dt.datetime, site_best: list[Summary]
) -> tuple[list[Summary], bool]:
    """Return the week's best summaries for a user, and whether they are personal.

    From the venues, keywords and writers the user follows when those had new
    summaries; otherwise the site's best of the week (`site_best`).
    """
    followed = selectors.summary_list_followed_for_week(user=user, start=start, end=end)
    if followed is not None:
        personal = list(followed[:DIGEST_LENGTH])
        if personal:
            return personal, True
    return site_best, False


def site_best_of_week(*, start: dt.datetime, end: dt.datetime) -> list[Summary]:
    """Return the site's best public summaries published in [start, end)."""
    return list(selectors.summary_list_for_week(start=start, end=end)[:DIGEST_LENGTH])


def _digest_message(
    *, user: User, week: dt.date, summaries: list[Summary], personal: bool
) -> EmailMultiAlternatives:
    unsubscribe = absolute(
        reverse(
            "feeds:digest-unsubscribe",
            kwargs={"token": digest_unsubscribe_token(user=user)},
        )
    )
    context = {
        "user": user,
        "week": week,
        "personal": personal,
        "site_url": site_url(),
        "unsubscribe_url": unsubscribe,
        "settings_url": absolute(reverse("feeds:digest-settings")),
        "items": [
            {
                "summary": s,
                "url": absolute(s.get_absolute_url()),
                "paper_url": absolute(s.paper.get_absolute_url()),
                "excerpt": excerpt(s.body_html, words=50),
            }
            for s in summaries
        ],
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.SITE_NAME}: the best summaries of the week of {week:%b} {week.day}",
        body=render_to_string("feeds/digest_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        # RFC 8058: mail clients offer their own one-click unsubscribe button.
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("feeds/digest_email.html", context), "text/html"
    )
    return message


def digest_send(
    *, user: User, week: dt.date, summaries: list[Summary], personal: bool = False
) -> bool:
    """Send one user's digest for a week unless it was sent already; return whether sent.

    The delivery row is inserted in the same transaction as the sending: if the mail
    fails, the row is rolled back and a retry sends it; if the row exists (an earlier
    run, or a concurrent worker that got there first), nothing is sent.
    """
    try:
        with transaction.atomic():
            DigestDelivery.objects.create(
                user=user, week=week, summary_count=len(summaries)
            )
            _digest_message(
                user=user, week=week, summaries=summaries, personal=personal
            ).send()
    except IntegrityError:
        return False
    return True


def digest_send_weekly(*, today: dt.date | None = None) -> int:
    """Send last week's digest to every subscriber who has not had it; return the count."""
    today = today or timezone.now().date()
    week, start, end = digest_week(today)
    subscribers = (
        User.objects.filter(digest_subscription__subscribed=True, is_active=True)
        .exclude(email="")
        .exclude(digest_deliveries__week=week)
        .order_by("pk")
    )
    site_best = site_best_of_week(start=start, end=end)
    if not site_best:
        logger.info("weekly digest for %s: no new summaries, nothing sent", week)
        return 0
    sent = 0
    for user in subscribers.iterator():
        summaries, personal = digest_summaries(
            user=user, start=start, end=end, site_best=site_best
        )
        sent += digest_send(
            user=user, week=week, summaries=summaries, personal=personal
        )
    logger.info("weekly digest for %s: %d sent", week, sent)
    return sent
