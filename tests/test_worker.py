"""End to end through a real Celery worker consuming from the Redis broker (CI sets it)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from papers import services as paper_services
from papers.models import PaperImport
from shortscience.celery import app
from shortscience.identifiers import classify
from summaries import services as summary_services
from summaries.models import Summary
from tests.factories import PaperFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_worker():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("CELERY_BROKER_URL must point at Redis for the worker tests")
        pytest.skip("set CELERY_BROKER_URL=redis://... to run a real worker")
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_import_runs_on_a_worker(redis_worker, arxiv_replay):
    paper_import = paper_services.import_create(identifier=classify("1706.03762"))

    assert wait_for(
        lambda: (
            PaperImport.objects.get(pk=paper_import.pk).status
            == PaperImport.Status.DONE
        )
    )
    paper = PaperImport.objects.get(pk=paper_import.pk).paper
    assert paper.title == "Attention Is All You Need"
    assert len(arxiv_replay.requests) == 1


def test_summary_is_rendered_by_a_worker(redis_worker):
    summary = summary_services.summary_create(
        paper=PaperFactory(), writer=UserFactory(), body="$\\sum_i x_i$"
    )
    assert wait_for(lambda: Summary.objects.get(pk=summary.pk).body_html != "")
    assert 'class="katex"' in Summary.objects.get(pk=summary.pk).body_html
