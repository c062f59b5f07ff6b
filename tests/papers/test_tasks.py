"""The import task's retry path: a source that is down for a while, then answers.

The task body runs as a worker would run it (not eager, with the retry count a worker
would set); `retry` is recorded instead of sending a message to a broker, and the HTTP
client's own backoff is recorded by the `recorded_sleeps` fixture instead of slept.
"""

import pytest
from celery.exceptions import Retry

from papers import services
from papers.models import PaperImport
from papers.tasks import MAX_RETRIES, run_import
from shortscience.identifiers import classify

pytestmark = pytest.mark.django_db

DOWN = (503, {})


@pytest.fixture
def scheduled(monkeypatch, settings):
    """Countdowns the task asked Celery to retry after."""
    settings.IMPORT_RETRY_BASE_SECONDS = 10
    countdowns = []

    def record_retry(*, exc, countdown):
        countdowns.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(run_import, "retry", record_retry)
    return countdowns


def run_on_worker(import_id, *, retries):
    """Run the task body as a worker does on delivery number `retries + 1`."""
    run_import.push_request(retries=retries, is_eager=False)
    try:
        run_import.run(import_id)
    finally:
        run_import.pop_request()


def queued_import():
    return services.import_create(identifier=classify("1706.03762"), run=False)


def test_transient_failures_retry_with_backoff_then_succeed(
    arxiv_replay, scheduled, recorded_sleeps
):
    paper_import = queued_import()
    arxiv_replay.fail_next = [DOWN] * 8  # two deliveries of four attempts each

    for retries in (0, 1):
        with pytest.raises(Retry):
            run_on_worker(paper_import.pk, retries=retries)
        paper_import.refresh_from_db()
        assert paper_import.status == PaperImport.Status.QUEUED
        assert paper_import.last_error == (
            "arXiv is unavailable (HTTP 503) after 4 attempts"
        )
        assert paper_import.attempts == retries + 1

    run_on_worker(paper_import.pk, retries=2)

    paper_import.refresh_from_db()
    assert scheduled == [10, 20]  # the task's backoff: base, then doubled
    assert recorded_sleeps == [1.0, 2.0, 4.0] * 2  # the client's, within each delivery
    assert paper_import.status == PaperImport.Status.DONE
    assert paper_import.last_error == ""
    assert paper_import.attempts == 3
    assert paper_import.paper.title == "Attention Is All You Need"
    assert len(arxiv_replay.requests) == 9


def test_backoff_is_capped_at_sixty_times_the_base(arxiv_replay, scheduled):
    paper_import = queued_import()
    arxiv_replay.fail_next = [DOWN] * 4

    with pytest.raises(Retry):
        run_on_worker(paper_import.pk, retries=7)

    assert scheduled == [600]  # 10 * 2**7 = 1280, capped at 60 * 10


def test_a_long_retry_after_is_honoured_by_the_task_not_slept(
    arxiv_replay, scheduled, recorded_sleeps
):
    paper_import = queued_import()
    arxiv_replay.fail_next = [(503, {"Retry-After": "120"})]

    with pytest.raises(Retry):
        run_on_worker(paper_import.pk, retries=0)

    assert recorded_sleeps == []  # past the client's sleep budget: handed to the task
    assert scheduled == [120]
    paper_import.refresh_from_db()
    assert paper_import.status == PaperImport.Status.QUEUED
    assert "HTTP 503" in paper_import.last_error


def test_the_last_retry_fails_visibly_and_schedules_nothing(arxiv_replay, scheduled):
    paper_import = queued_import()
    arxiv_replay.fail_next = [DOWN] * 4

    run_on_worker(paper_import.pk, retries=MAX_RETRIES)

    paper_import.refresh_from_db()
    assert scheduled == []
    assert paper_import.status == PaperImport.Status.FAILED
    assert paper_import.last_error == "arXiv is unavailable (HTTP 503) after 4 attempts"
    assert paper_import.finished_at is not None


def test_in_process_an_outage_fails_at_once_and_can_be_tried_again(
    arxiv_replay, scheduled, django_capture_on_commit_callbacks
):
    arxiv_replay.fail_next = [DOWN] * 4
    with django_capture_on_commit_callbacks(execute=True):
        paper_import = services.import_create(identifier=classify("1706.03762"))

    paper_import.refresh_from_db()
    assert scheduled == []  # no worker to retry later: the status page offers a retry
    assert paper_import.status == PaperImport.Status.FAILED
    assert "HTTP 503" in paper_import.last_error

    with django_capture_on_commit_callbacks(execute=True):
        services.import_retry(paper_import=paper_import)

    paper_import.refresh_from_db()
    assert paper_import.status == PaperImport.Status.DONE
    assert paper_import.last_error == ""
    assert paper_import.attempts == 2


def test_waiting_import_says_when_it_tries_again(
    arxiv_replay, scheduled, recorded_sleeps, client
):
    from django.utils import timezone

    from tests.factories import UserFactory

    paper_import = queued_import()
    arxiv_replay.fail_next = [DOWN] * 4
    before = timezone.now()
    with pytest.raises(Retry):
        run_on_worker(paper_import.pk, retries=0)
    paper_import.refresh_from_db()
    assert paper_import.problem == PaperImport.Problem.UNAVAILABLE
    wait = (paper_import.next_attempt_at - before).total_seconds()
    assert 10 <= wait < 70

    client.force_login(UserFactory())
    html = client.get(paper_import.get_absolute_url()).content.decode()
    at = timezone.localtime(paper_import.next_attempt_at).strftime("%H:%M")
    assert "arXiv did not answer; trying again at" in html
    assert f">{at}</time>." in html
    assert (
        "tried 1 time" in html and "HTTP 503" not in html and "4 attempts" not in html
    )
    assert "hx-get" in html  # still waiting: the box keeps polling
