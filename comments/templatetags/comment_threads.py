"""{% thread_variant summary user as variant %}: which shared rendering of a thread fits.

A thread looks the same to every signed-in reader who wrote neither the summary nor any
of its comments (reply and report forms, the CSRF token stood in for), and the same to
every signed-out reader (no forms), so those renderings are kept once and shared; a
reader whose own words are in the thread gets edit and delete controls, kept per reader.
"""

from django import template

register = template.Library()


@register.simple_tag
def thread_variant(summary, user) -> str:
    if not getattr(user, "is_authenticated", False):
        return "signed-out"
    own = summary.writer_id == user.pk or any(
        comment.writer_id == user.pk for comment in summary.threaded_comments
    )
    if own:
        return f"reader-{user.pk}"
    return "reader" if summary.is_public else "reader-closed"
