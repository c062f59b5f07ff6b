"""What the authors app tells the apps above it.

`claim_changed` (argument `claim`): the set of a paper's claimed authors changed (a claim
was approved, or an approved claim withdrawn). summaries/ recounts the paper's votes and
drops what the author may no longer do; sent inside the transaction of the change.

`claim_decided` (argument `claim`): a moderator approved or rejected a claim, or ORCID
confirmed it; community/ tells the claimant. Sent after commit.
"""

from django.dispatch import Signal

claim_changed = Signal()
claim_decided = Signal()
