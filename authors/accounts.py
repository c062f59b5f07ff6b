"""What an account's authorship claims become when it is exported.

Registered with users.accounts in AuthorsConfig.ready(): users/ sits below authors and
never imports it. Deleting the account deletes its claims with it (the rows cascade).
"""

from users.accounts import iso
from users.models import User

from .models import AuthorClaim


def claims_export(*, user: User) -> dict:
    """Return profile.json's "author_claims": every claim the user made, with its fate."""
    claims = AuthorClaim.objects.filter(user=user).select_related("paper")
    return {
        "author_claims": [
            {
                "paper_id": claim.paper_id,
                "paper": claim.paper.title,
                "orcid": claim.orcid,
                "status": claim.status,
                "method": claim.method,
                "note": claim.note,
                "reason": claim.reason,
                "created_at": iso(claim.created_at),
                "decided_at": iso(claim.decided_at),
            }
            for claim in claims.order_by("created_at", "pk")
        ]
    }
