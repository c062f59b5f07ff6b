from celery import shared_task

from papers.sources.http import TransientSourceError

from . import services


@shared_task(
    autoretry_for=(TransientSourceError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=6,
)
def check_claim_orcid(claim_id: int) -> str:
    """Read the claimant's ORCID works and approve the claim if they list the paper."""
    claim = services.claim_check_orcid(claim_id=claim_id)
    return claim.status if claim is not None else "gone"
