"""Authorship claims: make, check against ORCID, decide, withdraw.

A claim needs a verified ORCID iD: one linked to the account by signing in through
ORCID (allauth's ORCID provider), not the iD typed into the profile, which anybody can
type. A claimant whose name matches one of the paper's listed authors is approved as
soon as their ORCID record lists the paper (its DOI or arXiv id); every other claim
waits for a moderator, who approves or rejects it with a reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from contextlib import suppress

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from papers.models import Authorship, Paper
from papers.sources.http import PermanentSourceError
from papers.sources.orcid import OrcidClient, OrcidWorks, arxiv_key
from shortscience.cache import cache_touch
from shortscience.queue import enqueue
from users.models import User
from users.orcid import orcid_normalize
from users.policy import Action, ensure_can_write

from .models import AuthorClaim
from .signals import claim_changed, claim_decided

MAX_TEXT = 1000
NO_VERIFIED_ORCID = (
    "Claiming authorship needs a verified ORCID iD: connect your ORCID account once "
    "(Settings › Sign-in services) so that the site knows the iD is yours."
)


# Who is who -------------------------------------------------------------------------


def orcid_verified(user: User) -> str | None:
    """Return the ORCID iD the user proved by signing in through ORCID, or None."""
    from allauth.socialaccount.models import SocialAccount

    for uid in SocialAccount.objects.filter(user=user, provider="orcid").values_list(
        "uid", flat=True
    ):
        with suppress(ValidationError):
            return orcid_normalize(uid)
    return None


def name_key(name: str) -> tuple[str, str] | None:
    """Return (family name, first initial) of a person's name, for comparing names.

    Accents, case and punctuation are dropped; "Lovelace, Ada" reads as "Ada Lovelace".
    A name of one word gives None: too little to tell two people apart.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    if "," in text:
        family, given = text.split(",", 1)
        text = f"{given} {family}"
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) < 2:
        return None
    return words[-1], words[0][0]


def _user_name_keys(user: User) -> set[tuple[str, str]]:
    names = [user.display_name, f"{user.first_name} {user.last_name}"]
    return {key for key in map(name_key, names) if key is not None}


def claim_listed_authorship(*, paper: Paper, user: User) -> Authorship | None:
    """Return the place in the paper's author list whose name matches the user's."""
    keys = _user_name_keys(user)
    if not keys:
        return None
    for authorship in paper.authorships.select_related("author").order_by("position"):
        if name_key(authorship.author.name) in keys:
            return authorship
    return None


def orcid_lists_paper(works: OrcidWorks, paper: Paper) -> bool:
    """Say whether an ORCID record's works name the paper by DOI or arXiv id."""
    if paper.doi and paper.doi.lower() in works.dois:
        return True
    return bool(paper.arxiv_id) and arxiv_key(paper.arxiv_id) in works.arxiv_ids


# Claims -----------------------------------------------------------------------------


def _touch(claim: AuthorClaim) -> None:
    """The paper page badges its claimed authors; the profile lists claimed papers.

    "paper-authors" is what the paper page and its Markdown twin show of the claims
    (pages that only list the paper keep their cache). Touching the user refreshes the
    profile and the summaries and comments that carry their author badge, all of which
    depend on their writer.
    """
    cache_touch("paper-authors", claim.paper_id)
    cache_touch("user", claim.user_id)


def claim_create(*, user: User, paper: Paper, note: str = "") -> AuthorClaim:
    """Claim authorship of a paper; ORCID is asked after commit (claim_check_orcid)."""
    ensure_can_write(user, action=Action.AUTHOR_CLAIM)
    orcid = orcid_verified(user)
    if orcid is None:
        raise ValidationError(NO_VERIFIED_ORCID, code="no_verified_orcid")
    note = note.replace("\x00", "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationError(f"A note can be at most {MAX_TEXT:,} characters long.")
    existing = AuthorClaim.objects.active().filter(paper=paper, user=user).first()
    if existing is not None:
        raise ValidationError(
            "You are already an author of this paper on the site."
            if existing.is_approved
            else "You have already claimed this paper; the claim is waiting for a moderator.",
            code="claim_exists",
        )
    authorship = claim_listed_authorship(paper=paper, user=user)
    try:
        with transaction.atomic():
            claim = AuthorClaim.objects.create(
                paper=paper,
                user=user,
                author=authorship.author if authorship else None,
                orcid=orcid,
                note=note,
            )
    except IntegrityError as exc:  # the same claim sent twice at once
        raise ValidationError(
            "You have already claimed this paper.", code="claim_exists"
        ) from exc
    if authorship is not None and (paper.doi or paper.arxiv_id):
        from .tasks import check_claim_orcid

        enqueue(check_claim_orcid, claim.pk)
    return claim


def claim_check_orcid(
    *, claim_id: int, client: Callable[[], OrcidClient] | None = None
) -> AuthorClaim | None:
    """Approve a pending claim when the claimant's ORCID record lists the paper.

    The record is read before any row is locked; a claim that changed meanwhile
    (withdrawn, decided) is left as it is. A claim ORCID does not confirm stays with the
    moderators. A TransientSourceError goes up to the task, which retries.
    """
    claim = AuthorClaim.objects.select_related("paper").filter(pk=claim_id).first()
    if claim is None or claim.status != AuthorClaim.Status.PENDING:
        return claim
    if claim.author_id is None:
        return claim  # not a listed author: moderators only
    if client is None:
        from papers.sources.clients import orcid_client

        client = orcid_client
    found: bool | None
    try:
        works = client().works(claim.orcid)
    except PermanentSourceError as exc:
        found, result = None, f"ORCID did not give the record: {exc.message}"[:300]
    else:
        found = orcid_lists_paper(works, claim.paper)
        result = (
            "The ORCID record lists this paper."
            if found
            else f"The ORCID record ({works.count} works) does not list this paper."
        )
    with transaction.atomic():
        claim = AuthorClaim.objects.select_for_update().get(pk=claim_id)
        claim.orcid_checked_at = timezone.now()
        claim.orcid_result = result
        fields = ["orcid_checked_at", "orcid_result", "updated_at"]
        if found and claim.status == AuthorClaim.Status.PENDING:
            claim.status = AuthorClaim.Status.APPROVED
            claim.method = AuthorClaim.Method.ORCID
            claim.decided_at = claim.orcid_checked_at
            fields += ["status", "method", "decided_at"]
        claim.save(update_fields=fields)
        if found and claim.is_approved:
            _approved(claim)
    return claim


def _approved(claim: AuthorClaim) -> None:
    _touch(claim)
    claim_changed.send(sender=AuthorClaim, claim=claim)
    transaction.on_commit(lambda: claim_decided.send(sender=AuthorClaim, claim=claim))


def claim_decide(
    *, claim: AuthorClaim, actor: User, approve: bool, reason: str = ""
) -> AuthorClaim:
    """Approve or reject a pending claim (moderators); a rejection says why."""
    if not (actor.is_authenticated and actor.may_moderate):
        raise PermissionDenied("Only moderators can decide authorship claims.")
    reason = reason.replace("\x00", "").strip()
    if not approve and not reason:
        raise ValidationError(
            "Say why the claim is rejected: the claimant reads this.",
            code="reason_required",
        )
    if len(reason) > MAX_TEXT:
        raise ValidationError(f"A reason can be at most {MAX_TEXT:,} characters long.")
    with transaction.atomic():
        claim = AuthorClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != AuthorClaim.Status.PENDING:
            raise ValidationError(
                f"This claim is no longer waiting ({claim.get_status_display().lower()}).",
                code="claim_not_pending",
            )
        claim.status = (
            AuthorClaim.Status.APPROVED if approve else AuthorClaim.Status.REJECTED
        )
        claim.method = AuthorClaim.Method.MODERATOR
        claim.reason = reason
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        claim.save(
            update_fields=[
                "status",
                "method",
                "reason",
                "decided_by",
                "decided_at",
                "updated_at",
            ]
        )
        if approve:
            _approved(claim)
        else:
            transaction.on_commit(
                lambda: claim_decided.send(sender=AuthorClaim, claim=claim)
            )
    return claim


def claim_withdraw(*, claim: AuthorClaim, user: User) -> AuthorClaim:
    """Withdraw one's own pending or approved claim.

    Withdrawing an approved claim takes the badge away, counts the user's votes on the
    paper's summaries again, and removes their endorsements and author responses there
    (summaries/ does that on `claim_changed`). A banned user may still withdraw.
    """
    if claim.user_id != user.pk:
        raise PermissionDenied("Only the claimant can withdraw a claim.")
    with transaction.atomic():
        claim = AuthorClaim.objects.select_for_update().get(pk=claim.pk)
        if not claim.is_active:
            raise ValidationError(
                "This claim is not active any more.", code="claim_not_active"
            )
        was_approved = claim.is_approved
        claim.status = AuthorClaim.Status.WITHDRAWN
        claim.save(update_fields=["status", "updated_at"])
        if was_approved:
            _touch(claim)
            claim_changed.send(sender=AuthorClaim, claim=claim)
    return claim
