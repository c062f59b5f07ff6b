import pytest

from tests.factories import PaperFactory, SummaryFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def paper(db):
    return PaperFactory()


@pytest.fixture
def summary(db):
    return SummaryFactory()
