from collections import defaultdict
from collections.abc import Iterable

from .models import Comment


def thread_order(comments: Iterable[Comment]) -> list[Comment]:
    """Return comments in reading order: each followed by its replies, oldest first."""
    children: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        children[comment.parent_id].append(comment)
    ordered: list[Comment] = []
    stack = list(reversed(children[None]))
    while stack:
        comment = stack.pop()
        ordered.append(comment)
        stack.extend(reversed(children[comment.pk]))
    return ordered


def thread_for(*, summary, viewer) -> list[Comment]:
    """Return a summary's comments in reading order, with their writers (one query)."""
    comments = (
        Comment.objects.filter(summary=summary)
        .select_related("writer")
        .order_by("created_at", "pk")
    )
    return thread_order(comments)
