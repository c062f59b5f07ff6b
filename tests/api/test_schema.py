"""The OpenAPI schema is valid, and the API keeps to it under generated requests."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    ApiTokenFactory,
    AuthorClaimFactory,
    ListItemFactory,
    PaperFactory,
    ReadingListFactory,
    SummaryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_schema_is_valid_openapi_3(client):
    response = client.get("/api/openapi.json")

    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/papers/doi/{doi}" in schema["paths"]
    assert schema["paths"]["/api/v1/summaries"]["post"]["security"]


def test_docs_page_is_plain_html_without_scripts(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "GET /api/v1/papers/arxiv/{arxiv_id}" in html
    assert 'id="schema-PaperOut"' in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]
    assert "cdn" not in html.lower()


@pytest.fixture
def api_data(db, settings):
    # Generated requests come by the hundred from one address: no rate limits here.
    settings.RATELIMIT_ENABLE = False
    writer = UserFactory(username="writer")
    paper = PaperFactory(arxiv_id="1706.03762", doi="10.5555/attention")
    summary = SummaryFactory(paper=paper, writer=writer)
    SummaryFactory(paper=paper, is_anonymous=True)
    PaperFactory()
    # The token's user is a claimed author of another paper (claim_id below).
    claim = AuthorClaimFactory(paper=PaperFactory(), user=writer)
    reading_list = ReadingListFactory(owner=writer)
    ListItemFactory(reading_list=reading_list, paper=paper, note="read first")
    return {
        "token": ApiTokenFactory(user=writer),
        # Path parameters that name existing rows, so the success paths are
        # exercised too and not only the 404s of random ids.
        "known": {
            "paper_id": paper.pk,
            "summary_id": summary.pk,
            "username": writer.username,
            "slug": paper.venue.slug,
            "arxiv_id": paper.arxiv_id,
            "doi": paper.doi,
            "list_id": reading_list.pk,
            "claim_id": claim.pk,
        },
    }


@pytest.fixture
def wsgi_app():
    """The site's WSGI app, kept from closing the test's database connection.

    As Django's test client does: a request's end must not close the connection
    that holds the test's transaction.
    """
    django_app = get_wsgi_application()

    def app(environ, start_response):
        # The generated requests come through a test client that sets no client
        # address, which every real server does.
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        return django_app(environ, start_response)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _check_operation(operation, strategy, headers):
    @given(case=strategy)
    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def keeps_to_schema(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    keeps_to_schema()


@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
def test_the_api_keeps_to_its_schema(api_data, wsgi_app, mode):
    """Generate requests for every operation; no 5xx, and every answer as documented."""
    api_schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {api_data['token'].raw}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 11

    for operation in operations:
        names = [parameter.name for parameter in operation.path_parameters]
        strategies = [operation.as_strategy(generation_mode=mode)]
        if names and mode == schemathesis.GenerationMode.POSITIVE:
            known = {name: api_data["known"][name] for name in names}
            strategies.append(
                operation.as_strategy(generation_mode=mode, path_parameters=known)
            )
        for strategy in strategies:
            try:
                _check_operation(operation, strategy, headers)
            except Unsatisfiable:
                # Some operations have no invalid input that can be sent at all
                # (a free-text path segment): nothing to check in negative mode.
                assert mode == schemathesis.GenerationMode.NEGATIVE
