"""The search index follows every write: ORM saves, bulk imports, summary services."""

import pytest
from django.db import connection

from discovery import selectors, services
from discovery.models import PaperIndex
from papers.models import Author, Paper
from papers.services import PaperData, papers_upsert
from summaries import services as summary_services
from summaries.models import Summary
from tests.factories import (
    KeywordFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
)

from .conftest import postgres_only

pytestmark = pytest.mark.django_db


def titles(query, **filters):
    return [hit.paper.title for hit in selectors.search(query, **filters).hits]


def test_a_new_paper_is_indexed_with_its_authors_and_venue():
    paper = PaperFactory(title="Deep Residual Learning", authors=["Kaiming He"])
    row = PaperIndex.objects.get(paper=paper)
    assert row.title == "Deep Residual Learning"
    assert row.authors == "Kaiming He"
    assert (row.venue_id, row.year) == (paper.venue_id, 2017)
    assert titles("residual") == ["Deep Residual Learning"]
    assert titles("kaiming") == ["Deep Residual Learning"]


def test_bulk_imports_are_searchable_without_signals():
    papers_upsert(
        [
            PaperData(
                title=f"Sparse mixture of experts, part {n}",
                source=Paper.Source.ARXIV,
                authors=(("Noam Shazeer", ""), ("Azalia Mirhoseini", "")),
                abstract="A gating network routes tokens to experts.",
                year=2017,
                arxiv_id=f"1701.{n:05d}",
                keywords=("cs.LG",),
            )
            for n in range(1, 6)
        ]
    )
    assert len(titles("mirhoseini gating")) == 5


def test_bulk_updates_reindex_only_what_changed():
    paper = PaperFactory(title="Old title")
    Paper.objects.filter(pk=paper.pk).update(title="Brand new wording")
    assert titles("wording") == ["Brand new wording"]
    assert titles("old") == []


def test_renamed_authors_and_added_keywords_are_searchable():
    paper = PaperFactory(
        title="Generative adversarial nets", authors=["Ian Goodfellow"]
    )
    author = Author.objects.get(name="Ian Goodfellow")
    author.name = "Ian J. Goodfellow"
    author.save()
    paper.keywords.add(KeywordFactory(name="adversarial training"))
    assert PaperIndex.objects.get(paper=paper).authors == "Ian J. Goodfellow"
    assert titles("training") == ["Generative adversarial nets"]


def test_deleting_a_paper_removes_its_row():
    paper = PaperFactory()
    SummaryFactory(paper=paper)
    paper.delete()
    assert not PaperIndex.objects.filter(paper_id=paper.pk).exists()


def test_published_summaries_are_indexed_through_the_summary_signals(
    django_capture_on_commit_callbacks,
):
    paper = PaperFactory(title="Batch normalization")
    with django_capture_on_commit_callbacks(execute=True):
        summary = summary_services.summary_create(
            paper=paper,
            writer=UserFactory(),
            body="Whitening the activations of every layer speeds up training a lot.",
        )
    row = PaperIndex.objects.get(paper=paper)
    assert (row.summary_count, row.last_summary_at) == (1, summary.published_at)
    assert titles("whitening") == ["Batch normalization"]

    with django_capture_on_commit_callbacks(execute=True):
        summary_services.summary_delete(summary=summary)
    assert titles("whitening") == []
    assert PaperIndex.objects.get(paper=paper).summary_count == 0


def test_editing_a_paper_keeps_its_summary_text_searchable(reindex):
    paper = PaperFactory(title="Adam")
    SummaryFactory(paper=paper, body="Adaptive moment estimation with bias correction.")
    reindex(paper)
    Paper.objects.filter(pk=paper.pk).update(title="Adam: a method for optimization")
    assert titles("bias correction") == ["Adam: a method for optimization"]
    assert titles("optimization") == ["Adam: a method for optimization"]


def test_only_public_summary_text_is_searchable(reindex):
    paper = PaperFactory(title="Dropout")
    SummaryFactory(paper=paper, is_private=True, body="A private aside about owls.")
    SummaryFactory(
        paper=paper, status="draft", published_at=None, body="A draft about owls."
    )
    reindex(paper)
    assert titles("owls") == []


def test_refresh_catches_votes_and_visibility_changes(reindex):
    paper = PaperFactory(title="Layer normalization")
    summary = SummaryFactory(paper=paper, body="Normalise over features, not batches.")
    reindex(paper)
    Summary.objects.filter(pk=summary.pk).update(score=7)
    assert services.index_refresh() == 1
    assert PaperIndex.objects.get(paper=paper).summary_score == 7
    Summary.objects.filter(pk=summary.pk).update(is_private=True)
    assert services.index_refresh() == 1
    assert titles("batches") == []
    assert services.index_refresh() == 0


def test_rebuild_restores_a_lost_index():
    paper = PaperFactory(title="Neural machine translation by jointly learning")
    SummaryFactory(paper=paper, body="Soft alignment between source and target.")
    PaperIndex.objects.update(document="", summary_count=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE discovery_fts SET title = '', summaries = ''")
    assert services.index_rebuild() == 1
    assert titles("alignment") == [paper.title]
    assert titles("jointly") == [paper.title]


@postgres_only
def test_search_query_uses_the_gin_expression_index():
    from django.contrib.postgres.search import SearchQuery

    for n in range(30):
        PaperFactory(title=f"Paper {n} on graphs")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    plan = PaperIndex.objects.filter(
        document=SearchQuery("graphs", search_type="websearch")
    ).explain()
    assert "disc_idx_document_boost" in plan


def test_search_reindex_command(capsys):
    from django.core.management import call_command

    paper = PaperFactory(title="Variational inference")
    SummaryFactory(paper=paper, body="The evidence lower bound, explained.")
    call_command("search_reindex")
    assert "1 papers re-indexed" in capsys.readouterr().out
    assert titles("evidence") == ["Variational inference"]
