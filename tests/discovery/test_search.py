"""discovery.selectors.search: ranking, filters, identifiers, snippets, paging.

Every test runs on SQLite (FTS5) and on Postgres alike, so the two engines give the
same results for simple queries.
"""

import pytest

from discovery import fulltext, selectors
from discovery.query import InvalidQuery
from tests.factories import PaperFactory, SummaryFactory, VenueFactory

from .conftest import ON_POSTGRES, postgres_only

pytestmark = pytest.mark.django_db


@pytest.fixture
def filler():
    """Unrelated papers, so that the words under test are rare (as in a real catalogue)."""
    return [
        PaperFactory(title=f"On graphs and trees, volume {n}", abstract="Graphs.")
        for n in range(12)
    ]


def titles(query, **kwargs):
    return [hit.paper.title for hit in selectors.search(query, **kwargs).hits]


def test_title_outranks_authors_outranks_abstract_outranks_summary(filler, reindex):
    in_summary = PaperFactory(title="Paper D", abstract="Nothing to see.")
    SummaryFactory(paper=in_summary, body="It mentions holography once.")
    PaperFactory(title="Paper C", abstract="We use holography here.")
    PaperFactory(title="Paper B", authors=["Ada Holography"])
    PaperFactory(title="Holography, paper A")
    reindex(in_summary)
    assert titles("holography") == [
        "Holography, paper A",
        "Paper B",
        "Paper C",
        "Paper D",
    ]


def test_summary_activity_and_recency_boost_equal_matches(filler, reindex):
    plain = PaperFactory(title="Capsule networks", year=2017)
    newer = PaperFactory(title="Capsule networks revisited", year=2024)
    summarised = PaperFactory(title="Capsule networks again", year=2017)
    SummaryFactory(paper=summarised, score=12, body="Routing by agreement.")
    reindex(summarised)
    result = titles("capsule networks")
    assert result.index(summarised.title) < result.index(plain.title)
    assert result.index(newer.title) < result.index(plain.title)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quantum", {"Quantum walks", "Quantum error correction"}),
        ("quantum walks", {"Quantum walks"}),
        ('"error correction"', {"Quantum error correction"}),
        ("walks or correction", {"Quantum walks", "Quantum error correction"}),
        ("quantum -walks", {"Quantum error correction"}),
        ("Quantum WALK", {"Quantum walks"}),
        ("the quantum of", {"Quantum walks", "Quantum error correction"}),
        ("nonexistentword", set()),
    ],
)
def test_simple_queries_find_the_same_papers_on_every_database(filler, query, expected):
    PaperFactory(title="Quantum walks")
    PaperFactory(title="Quantum error correction")
    assert set(titles(query)) == expected


def test_filters_venue_years_and_has_summaries(filler, reindex):
    iclr, nips = VenueFactory(short_name="ICLR"), VenueFactory(short_name="NIPS")
    old = PaperFactory(title="Sinkhorn old", venue=iclr, year=2013)
    new = PaperFactory(title="Sinkhorn new", venue=iclr, year=2020)
    other = PaperFactory(title="Sinkhorn elsewhere", venue=nips, year=2020)
    SummaryFactory(paper=new)
    reindex(new)
    assert set(titles("sinkhorn", venue=iclr)) == {old.title, new.title}
    assert set(titles("sinkhorn", venue="nips")) == {other.title}
    assert set(titles("sinkhorn", year_from=2015)) == {new.title, other.title}
    assert set(titles("sinkhorn", year_to=2015)) == {old.title}
    assert titles("sinkhorn", has_summaries=True) == [new.title]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"venue": "no-such-venue"},
        {"year_from": 2020, "year_to": 2010},
        {"year_from": 99999},
        {"cursor": "not-a-cursor"},
    ],
)
def test_bad_filters_are_explained(kwargs):
    with pytest.raises(InvalidQuery):
        selectors.search("anything", **kwargs)


@pytest.mark.parametrize(
    "query",
    [
        "1706.03762",
        "arXiv:1706.03762v5",
        "https://arxiv.org/abs/1706.03762",
        "https://arxiv.org/pdf/1706.03762v2.pdf",
    ],
)
def test_an_arxiv_id_or_url_names_the_paper(query):
    paper = PaperFactory(arxiv_id="1706.03762")
    result = selectors.search(query)
    assert (result.mode, result.paper) == ("paper", paper)


def test_a_doi_names_the_paper():
    paper = PaperFactory(doi="10.1038/nature14539")
    result = selectors.search("https://doi.org/10.1038/NATURE14539")
    assert (result.mode, result.paper) == ("paper", paper)


def test_an_unknown_identifier_is_offered_for_adding():
    result = selectors.search("2003.08934")
    assert result.mode == "identifier"
    assert result.paper is None
    assert str(result.identifier.value) == "2003.08934"


def test_keyset_pages_cover_every_match_once():
    for n in range(25):
        PaperFactory(title=f"Hyperbolic embeddings {n}", year=2000 + n % 20)
    seen, cursor = [], None
    while True:
        page = selectors.search("hyperbolic", limit=10, cursor=cursor)
        seen += [hit.paper.pk for hit in page.hits]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 25
    ranks = [hit.rank for hit in selectors.search("hyperbolic", limit=25).hits]
    assert ranks == sorted(ranks, reverse=True)


def test_snippets_highlight_matches_and_escape_everything_else(filler, reindex):
    paper = PaperFactory(
        title="Wasserstein <b>GAN</b>",
        abstract="We minimise the earth mover distance <script>alert(1)</script> here.",
    )
    summary = SummaryFactory(paper=paper, body="The critic estimates the mover cost.")
    reindex(paper)
    hit = selectors.search("mover").hits[0]
    assert "<mark>mover</mark>" in hit.abstract_html
    # Postgres drops the tags from headlines, SQLite escapes them: never raw HTML.
    assert "<script>" not in hit.abstract_html
    assert "alert(1)" in hit.abstract_html
    assert "&lt;b&gt;GAN&lt;/b&gt;" in hit.title_html
    hit = selectors.search("critic").hits[0]  # only the summary explains this match
    assert "<mark>critic</mark>" in hit.summary_html
    if ON_POSTGRES:  # Postgres names the summary the snippet came from
        assert hit.summary_id == summary.pk


@pytest.mark.parametrize(
    "query", ["atention", "attension is all you need", "vaswanni", "Shazer attention"]
)
def test_typos_in_titles_and_authors_still_find_the_paper(filler, query):
    # Postgres corrects with pg_trgm, SQLite with its FTS5 trigram table.
    PaperFactory(
        title="Attention Is All You Need", authors=["Ashish Vaswani", "Noam Shazeer"]
    )
    result = selectors.search(query)
    assert result.mode in ("text", "fuzzy")
    assert [hit.paper.title for hit in result.hits][:1] == ["Attention Is All You Need"]


def test_a_typo_is_corrected_to_the_closest_word_after_a_rename(filler):
    paper = PaperFactory(title="Graph attention networks")
    paper.title = "Deep residual learning"
    paper.save()

    assert titles("residal") == ["Deep residual learning"]
    assert selectors.search("residal").corrected == "residual"
    assert selectors.search("atention").hits == []


@postgres_only
@pytest.mark.parametrize("probe", [3000, 2])  # sorted from the index / walked by boost
def test_broad_queries_rank_only_the_most_boosted_candidates(
    monkeypatch, reindex, probe
):
    papers = [PaperFactory(title=f"Learning to learn {n}") for n in range(5)]
    for paper in papers[:2]:
        SummaryFactory(paper=paper, score=5)
    reindex(*papers)
    monkeypatch.setattr(fulltext, "CANDIDATES", 2)
    monkeypatch.setattr(fulltext, "PROBE", probe)
    assert set(titles("learning")) == {papers[0].title, papers[1].title}


@postgres_only
@pytest.mark.parametrize(
    ("query", "filters"),
    [
        # Each path is taken: with PROBE 3, any query that has matches goes on from
        # band to band; with PROBE 5000, the first band predicts few and the rest is read.
        ("learning", {}),  # in every paper: found in the first band
        ("graphs", {}),  # in two papers of five: found in the second band (PROBE 3)
        ("rare", {}),  # in four papers: the rest is read
        # Only old papers, of low boost: the rest is read, or walked (PROBE 3), in the
        # catalogue's boost order, year by year, or in the venue's.
        ("learning", {"year_to": 2003}),
        ("learning", {"year_from": 2001, "year_to": 2004}),
        ("graphs", {"venue": True}),
        ("graphs", {"has_summaries": True}),
    ],
)
@pytest.mark.parametrize("probe", [5000, 3])
# A year range's words read in full (1.0), or walked at once after the first band (0.0).
@pytest.mark.parametrize("walk_from", [1.0, 0.0])
def test_candidates_read_band_by_band_are_the_most_boosted_matches(
    monkeypatch, reindex, query, filters, probe, walk_from
):
    from django.db import connection, transaction

    from discovery.models import PaperIndex
    from discovery.query import parse

    papers = []
    venues = [VenueFactory(), VenueFactory()]
    for n in range(90):
        words = "graphs " if n % 3 == 0 or n < 9 else ""
        words += "rare " if n in (5, 40, 70, 88) else ""
        papers.append(
            PaperFactory(
                title=f"Learning {words}part {n}",
                year=2000 + n % 26,
                venue=venues[1 if n % 4 == 0 else 0],
            )
        )
    for n, paper in enumerate(papers[:30]):
        SummaryFactory(paper=paper, score=n % 7)
    reindex(*papers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE discovery_paperindex")  # the catalogue's size
    monkeypatch.setattr(fulltext, "BANDS_FROM", 10)
    monkeypatch.setattr(fulltext, "CANDIDATES", 8)
    monkeypatch.setattr(fulltext, "BANDS", (0.1, 0.3, 0.6))
    monkeypatch.setattr(fulltext, "PROBE", probe)
    monkeypatch.setattr(fulltext, "WALK_FROM", walk_from)
    engine = fulltext.PostgresEngine()
    assert len(engine._band_edges(connection.cursor())) >= 3

    parsed = parse(query)
    shape = fulltext.Filters(
        venue_id=venues[0].pk if filters.get("venue") else None,
        year_from=filters.get("year_from"),
        year_to=filters.get("year_to"),
        has_summaries=filters.get("has_summaries", False),
    )
    with transaction.atomic():
        found = engine.candidates(parsed, shape)
    every = PaperIndex.objects.filter(paper__title__icontains=query)
    if filters.get("venue"):
        every = every.filter(venue=venues[0])
    if "year_from" in filters:
        every = every.filter(year__gte=filters["year_from"])
    if "year_to" in filters:
        every = every.filter(year__lte=filters["year_to"])
    if filters.get("has_summaries"):
        every = every.filter(summary_count__gt=0)
    best = every.order_by("-boost", "-paper_id").values_list("paper_id", flat=True)
    assert found == list(best[:8])


@postgres_only
def test_summaries_are_quoted_only_when_they_hold_a_word_of_the_query(filler, reindex):
    by_author = PaperFactory(title="Plain title one", authors=["Ada Quillfeather"])
    SummaryFactory(paper=by_author, body="Nothing about that name here.")
    mixed = PaperFactory(title="Plain title two", authors=["Quillfeather Bo"])
    held = SummaryFactory(paper=mixed, body="The critic is trained twice.", score=5)
    SummaryFactory(paper=mixed, body="A critic, again.", score=1)
    lesser = PaperFactory(title="Plain title three", authors=["Quillfeather Cy"])
    SummaryFactory(paper=lesser, body="Low praise.", score=5)
    SummaryFactory(paper=lesser, body="Only this critic mentions it.", score=1)
    reindex(by_author, mixed, lesser)

    hits = {h.paper.pk: h for h in selectors.search("quillfeather").hits}
    # Found by the authors' names: no summary holds the word, so none is quoted.
    assert not any(hit.summary_html for hit in hits.values())

    hits = {h.paper.pk: h for h in selectors.search("quillfeather critic").hits}
    assert set(hits) == {mixed.pk, lesser.pk}
    # The author's name and a word of the best summary: that summary is quoted...
    assert hits[mixed.pk].summary_id == held.pk
    assert "<mark>critic</mark> is trained" in hits[mixed.pk].summary_html
    # ...and where only a lesser summary holds it, none is (reading each would cost).
    assert hits[lesser.pk].summary_html == "" and hits[lesser.pk].summary_id is None


def test_summary_snippets_quote_plain_text_with_math_as_code(filler, reindex):
    paper = PaperFactory(title="An unrelated title")
    SummaryFactory(
        paper=paper,
        body=(
            "**Sizes.** The critic minimises $\\mathcal{L} = \\sum_i x_i$ over "
            "https://example.org/a/very/long/path/to/an/image/that/widens/phones.png"
        ),
    )
    reindex(paper)

    snippet = selectors.search("critic").hits[0].summary_html

    assert "**" not in snippet and "Sizes." in snippet
    assert "<mark>critic</mark>" in snippet
    assert '<code class="tex">\\mathcal{L} = \\sum_i x_i</code>' in snippet
    assert "example.org/a/very/long/path/to/an/imag" in snippet  # then "…" on SQLite
    assert "widens" not in snippet
