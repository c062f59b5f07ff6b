import pytest

from feeds import bibtex
from tests.factories import PaperFactory, SummaryFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_escape_covers_latex_specials():
    assert bibtex.escape("50% of A & B_1 cost $3 #1 ~ x^2 {a} \\o") == (
        r"50\% of A \& B\_1 cost \$3 \#1 \~{} x\^{}2 \{a\} \textbackslash{}o"
    )


def test_make_key_is_surname_year_first_word():
    key = bibtex.make_key(
        first_author="Ashish Vaswani", year=2017, title="Attention Is All You Need"
    )
    assert key == "vaswani2017attention"
    assert bibtex.make_key(first_author="Kurt Gödel", year=None, title="The Über") == (
        "godeluber"
    )


def test_paper_bibtex_for_a_conference_paper(client):
    paper = PaperFactory(
        title="Attention & Focus: 100% of $x_1$",
        year=2017,
        arxiv_id="1706.03762",
        doi="10.5555/a_b",
        bibtex_key="conf/nips/VaswaniSPUJGKP17",
        venue=VenueFactory(
            short_name="NIPS", name="Advances in Neural Information Processing Systems"
        ),
        authors=["Ashish Vaswani", "Noam Shazeer"],
    )

    response = client.get(f"/papers/{paper.pk}/bibtex")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "@inproceedings{conf/nips/VaswaniSPUJGKP17,\n"
        r"  title         = {Attention \& Focus: 100\% of \$x\_1\$},"
        "\n"
        "  author        = {Ashish Vaswani and Noam Shazeer},\n"
        "  booktitle     = {Advances in Neural Information Processing Systems},\n"
        "  year          = {2017},\n"
        "  doi           = {10.5555/a_b},\n"
        "  eprint        = {1706.03762},\n"
        "  archivePrefix = {arXiv},\n"
        "  url           = {https://arxiv.org/abs/1706.03762},\n"
        "}\n"
    )


def test_arxiv_only_paper_is_misc_with_eprint(client):
    paper = PaperFactory(
        title="Deep things",
        venue=VenueFactory(short_name="arXiv", slug="arxiv", kind="preprint"),
        authors=["Ada Lovelace"],
    )

    text = client.get(f"/papers/{paper.pk}/bibtex").content.decode()

    assert text.startswith(f"@misc{{lovelace{paper.year}deep,")
    assert f"eprint        = {{{paper.arxiv_id}}}" in text
    assert "archivePrefix = {arXiv}" in text
    assert "booktitle" not in text


def test_journal_paper_is_an_article(client):
    paper = PaperFactory(venue=VenueFactory(kind="journal", name="Nature"))

    text = client.get(f"/papers/{paper.pk}/bibtex").content.decode()

    assert text.startswith("@article{")
    assert "journal       = {Nature}," in text


def test_venue_year_bibtex_has_every_paper_of_that_year(client):
    venue = VenueFactory(slug="iclr")
    first = PaperFactory(venue=venue, year=2018, title="B paper")
    second = PaperFactory(venue=venue, year=2018, title="A paper")
    PaperFactory(venue=venue, year=2019)

    response = client.get("/venues/iclr/2018/bibtex")

    text = response.content.decode()
    assert text.count("@inproceedings{") == 2
    assert text.index(second.title) < text.index(first.title)
    assert client.get("/venues/iclr/2001/bibtex").status_code == 404
    assert client.get("/venues/nope/2018/bibtex").status_code == 404


def test_cite_this_summary(client):
    writer = UserFactory(display_name="Grace Hopper")
    summary = SummaryFactory(
        writer=writer,
        paper=PaperFactory(title="On Compilers", year=1952, authors=["Grace Hopper"]),
    )

    text = client.get(f"/summaries/{summary.pk}/bibtex").content.decode()

    assert text.startswith(f"@misc{{shortscience-summary-{summary.pk},")
    assert "author       = {{Grace Hopper}}," in text
    assert "title        = {Summary of On Compilers}," in text
    assert f"url          = {{http://127.0.0.1:8000/summaries/{summary.pk}/}}," in text
    assert "note         = {Summary of On Compilers (Grace Hopper, 1952)}," in text


def test_cite_an_anonymous_summary(client):
    summary = SummaryFactory(is_anonymous=True)

    text = client.get(f"/summaries/{summary.pk}/bibtex").content.decode()

    assert "author       = {{Anonymous}}," in text
    assert summary.writer.public_name not in text


def test_private_summaries_cannot_be_cited(client):
    summary = SummaryFactory(is_private=True)

    assert client.get(f"/summaries/{summary.pk}/bibtex").status_code == 404
