"""The slug of the venue that every arXiv preprint sits in until a venue claims it.

The major ML/AI venues and their aliases were seeded by papers/migrations/
0003_seed_venues.py, which holds its own frozen copy of the list; add venues later with
a new data migration or in the admin.
"""

ARXIV_SLUG = "arxiv"
