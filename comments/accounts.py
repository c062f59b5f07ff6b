"""What an account's comments become when it is exported or deleted.

Registered with users.accounts in CommentsConfig.ready(): users/ sits below comments
and never imports them.
"""

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from shortscience import markup
from users.accounts import Holders, iso
from users.models import User

from .models import Comment


def comments_export(*, user: User) -> dict:
    """Return profile.json's "comments": every comment the user wrote, deleted included."""
    comments = Comment.objects.filter(writer=user).select_related("summary__paper")
    return {
        "comments": [
            {
                "id": comment.pk,
                "summary_id": comment.summary_id,
                "paper": comment.summary.paper.title,
                "parent_id": comment.parent_id,
                "created_at": iso(comment.created_at),
                "updated_at": iso(comment.updated_at),
                "deleted_at": iso(comment.deleted_at),
                "markdown": comment.body,
            }
            for comment in comments.order_by("created_at", "pk")
        ],
    }


def comments_account_delete(
    *, user: User, holders: Holders, keep_summaries: bool
) -> None:
    """Hand an account's comments to the shared "deleted user", emptied unless kept.

    Emptied comments are marked deleted and stay in place, so that replies by others
    keep their place in the thread.
    """
    now = timezone.now()
    comments = Comment.objects.filter(writer=user)
    if keep_summaries:
        comments.update(writer=holders.shared)
    else:
        comments.update(
            writer=holders.shared,
            body="",
            body_html="",
            rendered_by=markup.RENDERER_VERSION,
            deleted_at=Coalesce("deleted_at", Value(now)),
        )
