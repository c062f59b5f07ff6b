"""End to end through a real Celery worker consuming from the Redis broker (CI sets it)."""

import pytest

from papers import services as paper_services
from papers.models import PaperImport
from shortscience.identifiers import classify
from summaries import services as summary_services
from summaries.models import Summary
from tests.conftest import wait_for
from tests.factories import PaperFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


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
