"""Import and export of reading lists on real reference-manager exports."""

from pathlib import Path

import pytest

from lists import formats, services
from lists.models import ReadingList
from lists.selectors import list_items
from papers.models import Author, Keyword, Paper, Venue
from tests.factories import PaperFactory, ReadingListFactory, UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LIBRARIES = [
    "bibsonomy/reading_list.bib",
    "bibsonomy/puma-sword-test-1.bib",
    "zotero/pubmed_zotero.ris",
    "zotero/baseline_zotero.ris",
    "zotero/better_csl.json",
]


def _text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _snapshot(reading_list: ReadingList) -> list[tuple]:
    """Every field the site keeps about the list's papers, in list order."""
    rows = []
    for item in list_items(reading_list=reading_list):
        paper = item.paper
        rows.append(
            (
                paper.title,
                tuple(a.author.name for a in paper.authorships.all()),
                paper.abstract,
                paper.year,
                (paper.venue.name, paper.venue.kind) if paper.venue else None,
                paper.arxiv_id,
                paper.doi,
                paper.url,
                paper.pdf_url,
                paper.journal_ref,
                sorted(k.name for k in paper.keywords.all()),
                item.note,
            )
        )
    return rows


def _empty_catalogue(keep_venues: set[int]) -> None:
    ReadingList.objects.all().delete()
    Paper.objects.all().delete()
    Author.objects.all().delete()
    Keyword.objects.all().delete()
    Venue.objects.exclude(pk__in=keep_venues).delete()


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("kind", ["bibtex", "ris", "csl-json"])
def test_a_real_library_survives_export_and_import_in_every_format(library, kind):
    seeded = set(Venue.objects.values_list("pk", flat=True))
    owner = UserFactory()
    first = ReadingListFactory(owner=owner)
    services.list_import(reading_list=first, user=owner, text=_text(library))
    before = _snapshot(first)
    keys = [i.paper.bibtex_key for i in list_items(reading_list=first)]
    exported = services.list_export(reading_list=first, kind=kind)

    _empty_catalogue(seeded)
    second = ReadingListFactory(owner=owner)
    services.list_import(reading_list=second, user=owner, text=exported)

    assert len(before) > 0
    assert _snapshot(second) == before
    # A citation key the library had is kept; one it lacked may be made up on export.
    after_keys = [i.paper.bibtex_key for i in list_items(reading_list=second)]
    assert [a for a, b in zip(after_keys, keys, strict=True) if b] == [
        k for k in keys if k
    ]


def test_zotero_ris_reads_authors_venue_doi_and_notes():
    records = formats.read(_text("zotero/baseline_zotero.ris"))

    first = records[0]
    assert len(records) == 100
    assert first.data.title.startswith("An open source machine learning framework")
    assert first.data.authors[:2] == (
        ("Rens van de Schoot", ""),
        ("Jonathan de Bruin", ""),
    )
    assert first.data.venue == "Nature Machine Intelligence"
    assert first.data.venue_kind == Venue.Kind.JOURNAL
    assert first.data.doi == "10.1038/s42256-020-00287-7"
    assert first.data.year == 2021
    assert first.note == "ASReview_relevant"


def test_csl_json_reads_better_bibtex_export():
    records = formats.read(_text("zotero/better_csl.json"))

    first = records[0]
    assert len(records) == 26
    assert first.data.title.startswith("Perceptions of disability")
    assert first.data.authors == (("Ian Brittain", ""),)
    assert first.data.year == 2004
    assert first.data.venue == "Journal of Sport and Social Issues"
    assert first.data.bibtex_key == "brittain2004"


def test_bibtex_reads_arxiv_ids_from_dblp_corr_entries():
    records = formats.read(_text("bibsonomy/reading_list.bib"))

    by_title = {r.data.title: r.data for r in records}
    assert (
        by_title[
            "Understanding deep learning requires rethinking generalization"
        ].arxiv_id
        == "1611.03530"
    )


def test_importing_a_paper_the_site_has_reuses_it():
    paper = PaperFactory(
        title="Understanding deep learning requires rethinking generalization",
        arxiv_id="1611.03530",
    )
    owner = UserFactory()
    reading_list = ReadingListFactory(owner=owner)

    services.list_import(
        reading_list=reading_list, user=owner, text=_text("bibsonomy/reading_list.bib")
    )
    count = Paper.objects.count()
    added, already = services.list_import(
        reading_list=reading_list, user=owner, text=_text("bibsonomy/reading_list.bib")
    )

    assert Paper.objects.filter(arxiv_id="1611.03530").get() == paper
    assert reading_list.items.filter(paper=paper).exists()
    assert Paper.objects.count() == count
    assert (added, already) == (0, reading_list.items.count())


def test_export_carries_notes_and_escapes_bibtex():
    owner = UserFactory()
    reading_list = ReadingListFactory(owner=owner)
    paper = PaperFactory(title="Costs & benefits of 100% recall", arxiv_id="1706.03762")
    services.list_add_paper(
        reading_list=reading_list, paper=paper, user=owner, note="Read §3 first"
    )

    bib = services.list_export(reading_list=reading_list, kind="bibtex")
    ris = services.list_export(reading_list=reading_list, kind="ris")

    assert r"title         = {Costs \& benefits of 100\% recall}" in bib
    assert "annote        = {Read §3 first}" in bib
    assert "eprint        = {1706.03762}" in bib
    assert "AN  - arXiv:1706.03762\r\n" in ris
    assert "N1  - Read §3 first\r\n" in ris


def test_unreadable_file_is_refused():
    with pytest.raises(formats.UnreadableFile):
        formats.read("just some words")
