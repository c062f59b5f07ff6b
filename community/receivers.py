from shortscience.queue import enqueue


def on_comment_posted(sender, comment, **kwargs):
    """Queue the notices a new comment causes (the mail goes out from a worker)."""
    from .tasks import notify_comment

    enqueue(notify_comment, comment.pk)


def on_claim_decided(sender, claim, **kwargs):
    """Tell the claimant of the decision (the mail goes out from a worker)."""
    from .tasks import notify_claim

    enqueue(notify_claim, claim.pk)
