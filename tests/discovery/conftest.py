import pytest
from django.conf import settings

from discovery import services

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="a Postgres feature (GIN, pg_trgm, the query planner)"
)


@pytest.fixture
def reindex():
    """Index the public summaries of the given papers, as the summary signals would."""

    def run(*papers):
        services.index_summaries(paper_ids=[p.pk for p in papers])

    return run
