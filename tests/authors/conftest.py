from datetime import timedelta

import pytest
from django.utils import timezone

from community.services import moderators_group
from tests.factories import OrcidAccountFactory, PaperFactory, UserFactory

# Stephen Eglen's public ORCID record (recorded in tests/fixtures/orcid) lists
# "CODECHECK: an Open Science initiative..." among its works under this DOI.
ORCID = "0000-0001-8607-8025"
DOI = "10.7557/19.5311"


def seasoned(**kwargs):
    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


@pytest.fixture
def researcher(db):
    """A user whose ORCID iD is verified (connected through ORCID sign-in)."""
    user = seasoned(display_name="Stephen Eglen")
    OrcidAccountFactory(user=user, uid=ORCID)
    return user


@pytest.fixture
def their_paper(db):
    return PaperFactory(doi=DOI, authors=["Daniel Nüst", "Stephen J. Eglen"])


@pytest.fixture
def moderator(db):
    user = seasoned(display_name="Mo Derator")
    user.groups.add(moderators_group())
    return user
