import pytest

from shortscience.identifiers import (
    ACCEPTED_FORMS,
    ArxivId,
    BibsonomyRef,
    InvalidIdentifier,
    classify,
    normalise_title,
    parse_arxiv_id,
    parse_bibsonomy_url,
    parse_doi,
)

HASH = "4140d935b433df33c3387a012d546f9a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2003.08934", ArxivId("2003.08934")),
        ("2003.08934v2", ArxivId("2003.08934", 2)),
        ("0704.0001", ArxivId("0704.0001")),
        ("1412.6980v9", ArxivId("1412.6980", 9)),
        ("1501.00001", ArxivId("1501.00001")),
        ("1706.03762v7", ArxivId("1706.03762", 7)),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("cond-mat/0603029v1", ArxivId("cond-mat/0603029", 1)),
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("cs/9605103", ArxivId("cs/9605103")),
        ("arXiv:2003.08934", ArxivId("2003.08934")),
        ("ARXIV:2003.08934v3", ArxivId("2003.08934", 3)),
        ("arxiv: hep-th/9901001", ArxivId("hep-th/9901001")),
        ("  1706.03762\n", ArxivId("1706.03762")),
        ("https://arxiv.org/abs/2003.08934", ArxivId("2003.08934")),
        ("http://arxiv.org/abs/2003.08934v2", ArxivId("2003.08934", 2)),
        ("https://arxiv.org/abs/2003.08934/", ArxivId("2003.08934")),
        ("https://arxiv.org/pdf/2003.08934", ArxivId("2003.08934")),
        ("https://arxiv.org/pdf/2003.08934v1.pdf", ArxivId("2003.08934", 1)),
        ("http://export.arxiv.org/abs/1706.03762", ArxivId("1706.03762")),
        ("https://www.arxiv.org/abs/1706.03762v5", ArxivId("1706.03762", 5)),
        ("arxiv.org/abs/hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        (
            "https://arxiv.org/pdf/cond-mat/0603029v1.pdf",
            ArxivId("cond-mat/0603029", 1),
        ),
    ],
)
def test_parse_arxiv_id_accepts(text, expected):
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2003.0893",
        "2003.089345",
        "1501.0001",
        "1412.00001",
        "0703.0001",
        "2013.08934",
        "2000.08934",
        "2003.08934v0",
        "2003.08934v",
        "1234.1234v99",
        "arXiv:foo",
        "hep-th/99",
        "hep-th/9913001",
        "foo-bar/9901001",
        "hep-th/0801001",
        "https://arxiv.org/list/cs.LG/recent",
        "https://example.org/abs/2003.08934",
        "Attention is all you need",
    ],
)
def test_parse_arxiv_id_rejects_with_the_accepted_forms(text):
    with pytest.raises(InvalidIdentifier) as excinfo:
        parse_arxiv_id(text)

    assert ACCEPTED_FORMS in excinfo.value.message


@pytest.mark.parametrize(
    ("arxiv_id", "text"),
    [
        (ArxivId("1706.03762"), "1706.03762"),
        (ArxivId("1706.03762", 7), "1706.03762v7"),
        (ArxivId("cond-mat/0603029", 1), "cond-mat/0603029v1"),
    ],
)
def test_arxiv_id_str_appends_the_version(arxiv_id, text):
    assert str(arxiv_id) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1038/nature14539", "10.1038/nature14539"),
        ("10.1109/CVPR.2016.90", "10.1109/cvpr.2016.90"),
        ("doi:10.1162/neco.1997.9.8.1735", "10.1162/neco.1997.9.8.1735"),
        ("DOI: 10.1038/nature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("http://dx.doi.org/10.1103/PhysRevB.85.115117", "10.1103/physrevb.85.115117"),
        ("doi.org/10.48550/arXiv.1706.03762", "10.48550/arxiv.1706.03762"),
        ("https://doi.org/10.1002%2F(SICI)1097-4571", "10.1002/(sici)1097-4571"),
        ("  10.1038/nature14539 ", "10.1038/nature14539"),
        ("10.1038", None),
        ("nature14539", None),
        ("https://example.org/10.1038/nature14539", None),
        ("Deep learning", None),
    ],
)
def test_parse_doi(text, expected):
    assert parse_doi(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"https://www.bibsonomy.org/bibtex/1{HASH}",
            BibsonomyRef("interhash", HASH, None),
        ),
        (
            f"https://www.bibsonomy.org/bibtex/2{HASH}/mlreader",
            BibsonomyRef("intrahash", HASH, "mlreader"),
        ),
        (
            f"http://bibsonomy.org/bibtex/2{HASH.upper()}/dblp/",
            BibsonomyRef("intrahash", HASH, "dblp"),
        ),
        (f"www.bibsonomy.org/bibtex/1{HASH}", BibsonomyRef("interhash", HASH, None)),
        (f"https://www.bibsonomy.org/bibtex/3{HASH}", None),
        ("https://www.bibsonomy.org/bibtex/1abc", None),
        (f"https://example.org/bibtex/1{HASH}", None),
    ],
)
def test_parse_bibsonomy_url(text, expected):
    assert parse_bibsonomy_url(text) == expected


def test_bibsonomy_ref_resource_carries_the_hash_prefix():
    assert BibsonomyRef("interhash", HASH, None).resource == f"1{HASH}"
    assert BibsonomyRef("intrahash", HASH, "dblp").resource == f"2{HASH}"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("1706.03762", "arxiv", ArxivId("1706.03762")),
        ("arXiv:hep-th/9901001v2", "arxiv", ArxivId("hep-th/9901001", 2)),
        ("https://arxiv.org/abs/1611.03530v2", "arxiv", ArxivId("1611.03530", 2)),
        ("10.1038/NATURE14539", "doi", "10.1038/nature14539"),
        ("https://doi.org/10.1038/nature14539", "doi", "10.1038/nature14539"),
        (
            f"https://www.bibsonomy.org/bibtex/1{HASH}",
            "bibsonomy",
            BibsonomyRef("interhash", HASH, None),
        ),
        ("Attention is all you need", "title", "Attention is all you need"),
        ("  Deep   residual\nlearning ", "title", "Deep residual learning"),
        ("0", "title", "0"),
        ("1984", "title", "1984"),
        ("Cosmology 2.0", "title", "Cosmology 2.0"),
        ("GPT-4 Technical Report", "title", "GPT-4 Technical Report"),
        ("and/or: a logic of choice", "title", "and/or: a logic of choice"),
        ("hep-th", "title", "hep-th"),
    ],
)
def test_classify(text, kind, value):
    identifier = classify(text)

    assert (identifier.kind, identifier.value) == (kind, value)


@pytest.mark.parametrize(
    "text",
    [
        "2003.0893",
        "2003.",
        "1501.0001",
        "2013.08934",
        "2003.08934v0",
        "arXiv:foo",
        "arXiv:",
        "hep-th/99",
        "math.GT/03",
        "doi:nonsense",
        "10.1038",
        "https://arxiv.org/list/cs.LG/recent",
        "https://example.org/some/paper",
        "   ",
    ],
)
def test_classify_rejects_broken_identifiers(text):
    identifier = classify(text)

    assert identifier.kind == "invalid"
    assert ACCEPTED_FORMS in identifier.message


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Attention Is All You Need", "attention is all you need"),
        (
            "  Deep Residual Learning\n  for Image   Recognition.",
            "deep residual learning for image recognition",
        ),
        (
            "BERT: Pre-training of Deep Bidirectional Transformers",
            "bert pre training of deep bidirectional transformers",
        ),
        ("Schrödinger's Cat", "schrodinger s cat"),
        ("Schr{\\\"o}dinger's Cat", "schrodinger s cat"),
        ("{L}ong {S}hort-{T}erm {M}emory", "long short term memory"),
        ("0", "0"),
        ("Über alles", "uber alles"),
    ],
)
def test_normalise_title(title, expected):
    assert normalise_title(title) == expected
