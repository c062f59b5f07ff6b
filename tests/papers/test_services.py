import os
import threading

import pytest
from django.db import connection

from papers import selectors, services
from papers.models import Paper, PaperImport, Venue
from papers.services import PaperData
from papers.sources.http import TransientSourceError
from shortscience.identifiers import classify
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def run_import(text, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        paper_import = services.import_create(identifier=classify(text))
    paper_import.refresh_from_db()
    return paper_import


def test_arxiv_import_creates_paper_with_metadata(
    arxiv_replay, django_capture_on_commit_callbacks
):
    paper_import = run_import(
        "https://arxiv.org/abs/1706.03762v5", django_capture_on_commit_callbacks
    )

    assert paper_import.status == PaperImport.Status.DONE
    paper = paper_import.paper
    assert paper.title == "Attention Is All You Need"
    assert paper.arxiv_id == "1706.03762"
    assert paper.arxiv_version == 7
    assert paper.source == Paper.Source.ARXIV
    assert paper.venue.slug == "arxiv" and paper.year == 2017
    assert str(paper.published_on) == "2017-06-12"
    names = [a.author.name for a in paper.authorships.order_by("position")]
    assert (
        names[0] == "Ashish Vaswani"
        and names[-1] == "Illia Polosukhin"
        and len(names) == 8
    )
    assert "cs.CL" in set(paper.keywords.values_list("name", flat=True))
    assert "  " not in paper.abstract and "\n" not in paper.abstract
    assert paper.arxiv_comment == "15 pages, 5 figures"
    assert arxiv_replay.requests[0]["id_list"] == "1706.03762v5"


def test_reimport_records_new_version_without_duplicating(
    arxiv_replay, django_capture_on_commit_callbacks
):
    first = run_import("1706.03762", django_capture_on_commit_callbacks).paper
    entry = arxiv_replay.entries["1706.03762"]
    arxiv_replay.entries["1706.03762"] = entry.replace(
        "1706.03762v7", "1706.03762v8"
    ).replace("15 pages, 5 figures", "NeurIPS 2017. Code: https://github.com/o/r")

    second = run_import("arXiv:1706.03762", django_capture_on_commit_callbacks).paper

    assert second.pk == first.pk
    assert second.arxiv_version == 8
    # The latest version's comment replaces the older one.
    assert second.arxiv_comment == "NeurIPS 2017. Code: https://github.com/o/r"
    assert Paper.objects.count() == 1


def test_unknown_arxiv_id_fails_with_reason(
    arxiv_replay, django_capture_on_commit_callbacks
):
    paper_import = run_import("2101.99999", django_capture_on_commit_callbacks)
    assert paper_import.status == PaperImport.Status.FAILED
    assert "not found on arXiv" in paper_import.last_error
    assert Paper.objects.count() == 0


def test_service_down_keeps_import_queued_with_reason_for_a_retry(arxiv_replay):
    arxiv_replay.fail_next = [(503, {"Retry-After": "0"})] * 10
    paper_import = services.import_create(identifier=classify("1706.03762"), run=False)

    with pytest.raises(TransientSourceError):
        services.import_run(import_id=paper_import.pk, final=False)

    paper_import.refresh_from_db()
    assert paper_import.status == PaperImport.Status.QUEUED
    assert "503" in paper_import.last_error
    assert paper_import.attempts == 1

    arxiv_replay.fail_next = []
    services.import_run(import_id=paper_import.pk)
    paper_import.refresh_from_db()
    assert paper_import.status == PaperImport.Status.DONE
    assert paper_import.attempts == 2


def test_service_down_on_the_last_attempt_fails_visibly(arxiv_replay, recorded_sleeps):
    arxiv_replay.fail_next = [(500, {})] * 10
    paper_import = services.import_create(identifier=classify("1706.03762"), run=False)
    services.import_run(import_id=paper_import.pk, final=True)
    paper_import.refresh_from_db()
    assert paper_import.status == PaperImport.Status.FAILED
    assert paper_import.last_error == "arXiv is unavailable (HTTP 500) after 4 attempts"
    assert recorded_sleeps == [1.0, 2.0, 4.0]  # the client's backoff, not waited out
    assert len(arxiv_replay.requests) == 4


def test_conference_record_wins_venue_and_year_over_arxiv(
    arxiv_replay, django_capture_on_commit_callbacks
):
    paper = run_import("1611.03530", django_capture_on_commit_callbacks).paper
    assert paper.venue.slug == "arxiv" and paper.year == 2016

    merged, created = services.paper_upsert(
        PaperData(
            title="Understanding deep learning requires rethinking generalization",
            source=Paper.Source.BIBSONOMY,
            authors=(("Chiyuan Zhang", ""), ("Samy Bengio", "")),
            year=2017,
            venue="conf/iclr/ZhangBHRV17",
            bibtex_key="conf/iclr/ZhangBHRV17",
            interhash="0123456789abcdef0123456789abcdef",
        )
    )

    assert not created and merged.pk == paper.pk
    assert merged.venue.slug == "iclr" and merged.year == 2017
    assert merged.bibsonomy_interhash == "0123456789abcdef0123456789abcdef"
    assert merged.source == Paper.Source.ARXIV
    assert merged.authorships.count() == 5  # arXiv's full author list is kept


def test_arxiv_record_arriving_later_does_not_move_a_conference_paper(
    arxiv_replay, django_capture_on_commit_callbacks
):
    conference, _ = services.paper_upsert(
        PaperData(
            title="Understanding Deep Learning Requires Rethinking Generalization.",
            source=Paper.Source.BIBSONOMY,
            authors=(("Chiyuan Zhang", ""),),
            year=2017,
            venue="International Conference on Learning Representations",
        )
    )
    paper = run_import("1611.03530", django_capture_on_commit_callbacks).paper
    assert paper.pk == conference.pk  # same normalised title and first author
    assert paper.venue.slug == "iclr" and paper.year == 2017
    assert paper.arxiv_id == "1611.03530"
    assert paper.authorships.first().author.name == "Chiyuan Zhang"


def test_same_title_by_another_first_author_is_another_paper():
    data = PaperData(
        title="Deep Learning", source="manual", authors=(("Yann LeCun", ""),)
    )
    first, _ = services.paper_upsert(data)
    other, created = services.paper_upsert(
        PaperData(
            title="Deep learning", source="manual", authors=(("Ian Goodfellow", ""),)
        )
    )
    assert created and other.pk != first.pk


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        ("Advances in Neural Information Processing Systems", "neurips"),
        ("NIPS", "neurips"),
        ("conf/nips/VaswaniSPUJGKP17", "neurips"),
        (
            "Proceedings of the 34th International Conference on Machine Learning",
            "icml",
        ),
        ("journals/corr/abs-1611-03530", "arxiv"),
        ("CoRR", "arxiv"),
        ("J. Mach. Learn. Res.", "jmlr"),
        ("IEEE Conference on Computer Vision and Pattern Recognition", "cvpr"),
    ],
)
def test_venue_aliases_resolve(raw, slug):
    assert services.venue_resolve(raw).slug == slug


def test_unknown_venue_is_created_once():
    first = services.venue_resolve(
        "Journal of Obscure Results", kind=Venue.Kind.JOURNAL
    )
    again = services.venue_resolve("journal of obscure results")
    assert first.pk == again.pk and first.kind == Venue.Kind.JOURNAL


def test_doi_import_through_crossref(
    crossref_replay, django_capture_on_commit_callbacks
):
    paper_import = run_import(
        "https://doi.org/10.1038/nature14539", django_capture_on_commit_callbacks
    )
    assert paper_import.status == PaperImport.Status.DONE
    paper = paper_import.paper
    assert paper.title == "Deep learning"
    assert paper.venue.slug == "nature" and paper.year == 2015
    assert paper.source == Paper.Source.CROSSREF
    assert [a.author.name for a in paper.authorships.all()][:3] == [
        "Yann LeCun",
        "Yoshua Bengio",
        "Geoffrey Hinton",
    ]


def test_unknown_doi_fails(crossref_replay, django_capture_on_commit_callbacks):
    paper_import = run_import(
        "10.9999/nothing.here", django_capture_on_commit_callbacks
    )
    assert paper_import.status == PaperImport.Status.FAILED


def test_bibsonomy_import_by_interhash_url(
    bibsonomy_replay, django_capture_on_commit_callbacks
):
    url = "https://www.bibsonomy.org/bibtex/1f1891d6f7dedbf4d5f0b901bed74f348"
    paper_import = run_import(url, django_capture_on_commit_callbacks)
    assert paper_import.status == PaperImport.Status.DONE
    assert paper_import.paper.source == Paper.Source.BIBSONOMY


def test_bibsonomy_switched_off_fails_with_configuration_message(
    settings, django_capture_on_commit_callbacks
):
    settings.BIBSONOMY_USER = ""
    url = "https://www.bibsonomy.org/bibtex/1f1891d6f7dedbf4d5f0b901bed74f348"
    paper_import = run_import(url, django_capture_on_commit_callbacks)
    assert paper_import.status == PaperImport.Status.FAILED
    assert "not configured" in paper_import.last_error


def test_batch_import_uses_one_request_per_hundred_ids(arxiv_replay):
    ids = ["1706.03762", "1611.03530", "2101.99999"]
    imports = [services.import_create(identifier=classify(i), run=False) for i in ids]
    services.import_arxiv_batch(imports)
    statuses = [PaperImport.objects.get(pk=i.pk).status for i in imports]
    assert statuses == ["done", "done", "failed"]
    assert len(arxiv_replay.requests) == 1


def test_refresh_records_new_versions_of_summarised_papers(arxiv_replay, summary):
    paper = summary.paper
    paper.arxiv_id, paper.arxiv_version = "1706.03762", 1
    paper.save()
    assert services.papers_refresh_arxiv() == 1
    paper.refresh_from_db()
    assert paper.arxiv_version == 7 and paper.arxiv_checked_at is not None


def test_title_search_merges_local_and_arxiv(arxiv_replay, settings):
    settings.BIBSONOMY_USER = ""
    local = PaperFactory(title="Attention Is All You Need", arxiv_id="1706.03762")
    result = selectors.paper_title_search(title="attention is all you need")
    assert result.candidates[0].paper == local
    assert len(result.candidates) == 1  # arXiv's copy is the same paper
    assert "BibSonomy search is switched off" in result.notices[0]


def test_title_search_reports_unavailable_services(
    httpserver, settings, bibsonomy_replay
):
    settings.ARXIV_API_URL = httpserver.url_for("/broken")
    httpserver.expect_request("/broken").respond_with_data("nope", status=400)
    result = selectors.paper_title_search(title="residual learning")
    assert "The arXiv search failed" in result.notices[0]
    assert not any("No paper" in n for n in result.notices)
    assert any(c.origin == "BibSonomy" for c in result.candidates)


def test_title_search_says_not_found_only_for_sources_that_answered(
    arxiv_replay, settings, recorded_sleeps
):
    settings.BIBSONOMY_USER = ""
    arxiv_replay.fail_next = [(503, {})] * 4
    result = selectors.paper_title_search(title="a paper nobody wrote")
    assert result.notices[0].startswith("arXiv did not answer")
    assert not any("No paper" in n for n in result.notices)

    result = selectors.paper_title_search(title="a paper nobody wrote")
    assert result.notices[0] == "No paper with that title on arXiv."


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("REQUIRE_SERVICES"),
    reason="needs Postgres (set DATABASE_URL); SQLite serialises writers by itself",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_paper_at_once_make_one_paper():
    data = PaperData(
        title="Attention Is All You Need",
        source=Paper.Source.ARXIV,
        authors=(("Ashish Vaswani", ""), ("Noam Shazeer", "")),
        arxiv_id="1706.03762",
        arxiv_version=7,
        year=2017,
        venue="arxiv",
    )
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(services.paper_upsert(data)[0].pk)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(set(results)) == 1
    assert Paper.objects.filter(arxiv_id="1706.03762").count() == 1


def test_a_record_without_a_comment_keeps_the_one_arxiv_gave():
    paper = PaperFactory(arxiv_id="1706.03762", arxiv_comment="15 pages, 5 figures")
    services.paper_upsert(
        PaperData(title=paper.title, source="dblp", arxiv_id="1706.03762", year=2017)
    )
    paper.refresh_from_db()
    assert paper.arxiv_comment == "15 pages, 5 figures"


def test_imported_urls_must_be_web_addresses():
    paper, _ = services.paper_upsert(
        PaperData(
            title="Scheme check",
            source="bibsonomy",
            url="javascript:alert(1)",
            pdf_url="https://example.org/paper.pdf",
        )
    )
    assert paper.url == "" and paper.pdf_url == "https://example.org/paper.pdf"
