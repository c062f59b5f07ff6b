"""Actions on accounts that need nothing from the other apps."""

import secrets

from django.db import IntegrityError, transaction

from .models import (
    DELETED_DISPLAY_NAME,
    DELETED_USERNAME,
    RESERVED_USERNAME_PREFIX,
    User,
)

PROFILE_FIELDS = (
    "display_name",
    "affiliation",
    "website",
    "orcid",
    "bio",
    "notify_on_comment",
    "notify_on_reply",
)


def user_profile_update(*, user: User, data: dict) -> User:
    """Save the profile fields and e-mail preferences given in data (already cleaned)."""
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    user.full_clean(
        exclude=[f.name for f in User._meta.fields if f.name not in changed]
    )
    user.save(update_fields=changed)
    return user


def user_ban_set(*, user: User, banned: bool) -> User:
    """Record whether the user is banned; users.policy refuses every write of a banned user.

    Who may ban is the moderators' rule (community.services.user_set_banned).
    """
    user.is_banned = banned
    user.save(update_fields=["is_banned"])
    return user


def user_mark_email_verified(*, user: User) -> None:
    """Record the user's e-mail address as verified and primary.

    For accounts made outside the sign-up form (demo data, the admin, tests), which
    would otherwise be asked to confirm their address when e-mail verification is
    mandatory.
    """
    from allauth.account.models import EmailAddress

    if not user.email:
        return
    EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "verified": True, "primary": True},
    )


def _placeholder(username: str) -> User:
    user = User(
        username=username,
        display_name=DELETED_DISPLAY_NAME,
        is_active=False,
    )
    user.set_unusable_password()
    return user


@transaction.atomic
def user_deleted_placeholder() -> User:
    """Return the shared inactive "deleted user", creating it on first use, locked.

    The row lock makes concurrent account deletions that hand content over take turns.
    """
    user = User.objects.select_for_update().filter(username=DELETED_USERNAME).first()
    if user is None:
        try:
            with transaction.atomic():
                _placeholder(DELETED_USERNAME).save()
        except IntegrityError:
            pass  # another deletion created it first
        user = User.objects.select_for_update().get(username=DELETED_USERNAME)
    return user


def user_create_tombstone() -> User:
    """Create an inactive "deleted user" of one's own for content that cannot be shared.

    One writer has at most one summary of a paper, so a kept summary of a paper the
    shared placeholder already holds needs a holder of its own; so do soft-deleted
    summaries, which stay restorable until the purge job removes them.
    """
    user = _placeholder(f"{RESERVED_USERNAME_PREFIX}{secrets.token_hex(6)}")
    user.save()
    return user
