from . import services


def on_claim_changed(sender, claim, **kwargs):
    """A paper's claimed authors changed: recount its summaries' votes."""
    services.summaries_claimed_authors_changed(
        paper_id=claim.paper_id, user_id=claim.user_id
    )
