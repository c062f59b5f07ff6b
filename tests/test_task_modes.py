"""The key flows run the same way with tasks in-process and on a real Celery worker.

In-process is the embedded default (no broker: tasks run after commit in the web
process, a failure is logged, not raised); tests/conftest.py runs every test not marked
`worker` that way, even when CI sets a broker. The `worker` variants run on a real
worker consuming from the Redis broker (skipped without CELERY_BROKER_URL).
"""

import logging

import pytest

from papers import services as paper_services
from papers.models import PaperImport
from shortscience import markup
from shortscience.celery import app
from shortscience.identifiers import classify
from summaries import services as summary_services
from summaries.models import Summary
from tests.conftest import wait_for
from tests.factories import PaperFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["in-process", pytest.param("worker", marks=pytest.mark.worker)])
def task_mode(request):
    if request.param == "worker":
        request.getfixturevalue("redis_worker")
    return request.param


def test_tasks_run_in_process_and_do_not_raise_outside_worker_tests():
    assert app.conf.task_always_eager is True
    assert app.conf.task_eager_propagates is False


def test_published_summary_gets_its_rendered_html_stored(task_mode):
    summary = summary_services.summary_create(
        paper=PaperFactory(), writer=UserFactory(), body="Minimise $\\|x\\|_2$ *fast*."
    )

    assert wait_for(lambda: Summary.objects.get(pk=summary.pk).body_html != "")
    stored = Summary.objects.get(pk=summary.pk)
    assert 'class="katex"' in stored.body_html
    assert "<em>fast</em>" in stored.body_html
    assert stored.rendered_by == markup.RENDERER_VERSION


def test_paper_added_by_arxiv_id_is_imported(task_mode, arxiv_replay):
    paper_import = paper_services.import_create(identifier=classify("1706.03762"))

    assert wait_for(
        lambda: (
            PaperImport.objects.get(pk=paper_import.pk).status
            == PaperImport.Status.DONE
        )
    )
    done = PaperImport.objects.select_related("paper").get(pk=paper_import.pk)
    assert done.paper.title == "Attention Is All You Need"
    assert done.paper.arxiv_id == "1706.03762"
    assert done.attempts == 1
    assert done.last_error == ""


def test_a_failing_task_in_process_is_logged_and_the_save_stands(monkeypatch, caplog):
    def crash(body):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(markup, "render", crash)
    monkeypatch.setattr(markup, "render_document", crash)
    with caplog.at_level(logging.ERROR):
        summary = summary_services.summary_create(
            paper=PaperFactory(), writer=UserFactory(), body="Kept *anyway*."
        )

    stored = Summary.objects.get(pk=summary.pk)
    assert stored.body == "Kept *anyway*."
    assert stored.body_html == ""
    failures = [r for r in caplog.records if "renderer crashed" in r.getMessage()]
    assert failures, caplog.text
    assert "render_summary" in failures[0].getMessage()
