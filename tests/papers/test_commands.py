from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from papers.models import Paper, PaperImport

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_import_ids_prints_a_table(arxiv_replay, capsys):
    call_command("import_papers", "1706.03762", "https://arxiv.org/abs/1611.03530")
    out = capsys.readouterr().out
    assert "imported: 2  updated: 0  failed: 0" in out
    assert Paper.objects.count() == 2
    assert PaperImport.objects.filter(status="done").count() == 2
    assert len(arxiv_replay.requests) == 1


def test_reimport_counts_as_updated(arxiv_replay, capsys):
    call_command("import_papers", "1706.03762")
    call_command("import_papers", "1706.03762")
    assert "imported: 0  updated: 1  failed: 0" in capsys.readouterr().out
    assert Paper.objects.count() == 1


def test_failures_are_listed_and_exit_non_zero(arxiv_replay, capsys):
    with pytest.raises(CommandError, match="2 of 3 failed"):
        call_command("import_papers", "1706.03762", "2101.99999", "not an id at all")
    out = capsys.readouterr().out
    assert "not found on arXiv" in out
    assert "imported: 1  updated: 0  failed: 2" in out


def test_import_from_file(arxiv_replay, tmp_path, capsys):
    ids = tmp_path / "ids.txt"
    ids.write_text("# reading list\n1706.03762\n\narXiv:1611.03530v1\n")
    call_command("import_papers", "--file", str(ids))
    assert Paper.objects.count() == 2


def test_import_from_bibtex_merges_venue(arxiv_replay, crossref_replay, capsys):
    with pytest.raises(CommandError):  # the list holds entries that cannot be found
        call_command(
            "import_papers",
            "--bibtex",
            str(FIXTURES / "bibsonomy" / "reading_list.bib"),
        )
    out = capsys.readouterr().out
    assert "imported:" in out
    generalization = Paper.objects.get(arxiv_id="1611.03530")
    assert generalization.authorships.count() == 5


def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_papers", "--file", "/nonexistent/ids.txt")


def test_nothing_to_import():
    with pytest.raises(CommandError, match="Nothing to import"):
        call_command("import_papers")


MIXED_BIBTEX = """\
@misc{good-manual,
  title = {A Paper Typed By Hand},
  author = {Ada Lovelace},
  year = {2019},
}

@article{bad-no-comma
  title = {The key is not followed by a comma},
}

@article{good-arxiv,
  title = {Attention Is All You Need},
  eprint = {1706.03762},
  archivePrefix = {arXiv},
}

@inproceedings{bad-fields, title = {x} year = 2017}
"""


def test_malformed_bibtex_entries_are_reported_by_line_and_fail_the_command(
    arxiv_replay, tmp_path, capsys
):
    bib = tmp_path / "list.bib"
    bib.write_text(MIXED_BIBTEX, encoding="utf-8")

    with pytest.raises(CommandError, match="2 of 4 failed"):
        call_command("import_papers", "--bibtex", str(bib))

    captured = capsys.readouterr()
    assert "line 7: malformed BibTeX entry: @article{bad-no-comma" in captured.err
    assert "line 17: malformed BibTeX entry: @inproceedings{bad-fields" in captured.err
    assert "imported: 2  updated: 0  failed: 2" in captured.out
    assert set(Paper.objects.values_list("title", flat=True)) == {
        "A Paper Typed By Hand",
        "Attention Is All You Need",
    }


DEEP_LEARNING_BIBTEX = """\
@article{lecun_deep_2015,
  title = {Deep learning},
  volume = {521},
  doi = {10.1038/nature14539},
  journal = {Nature},
  author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  year = {2015},
  pages = {436--444},
}
"""


def test_bibtex_entry_imports_from_its_own_fields_while_crossref_is_down(
    crossref_replay, tmp_path, capsys, recorded_sleeps
):
    from papers import services

    bib = tmp_path / "list.bib"
    bib.write_text(DEEP_LEARNING_BIBTEX)
    crossref_replay.down = True
    call_command("import_papers", "--bibtex", str(bib))  # no failure: nothing lost
    out = capsys.readouterr().out
    assert "imported: 1  updated: 0  failed: 0" in out
    assert "Crossref did not answer; its details follow later" in out

    paper = Paper.objects.get(doi="10.1038/nature14539")
    assert paper.title == "Deep learning" and paper.year == 2015
    assert [a.author.name for a in paper.authorships.order_by("position")] == [
        "Yann LeCun",
        "Yoshua Bengio",
        "Geoffrey Hinton",
    ]
    assert paper.abstract == ""
    # The import waits, holding the paper, for Crossref to come back.
    paper_import = PaperImport.objects.get()
    assert paper_import.status == "queued" and paper_import.paper == paper
    assert paper_import.problem == "unavailable"

    crossref_replay.down = False
    services.import_run(import_id=paper_import.pk)  # its retry, later
    paper_import.refresh_from_db()
    assert paper_import.status == "done" and paper_import.paper == paper
    assert Paper.objects.count() == 1
    paper.refresh_from_db()
    assert paper.abstract.startswith("Deep learning allows computational models")


def test_bibtex_entry_crossref_does_not_know_is_not_invented(
    crossref_replay, tmp_path, capsys
):
    bib = tmp_path / "list.bib"
    bib.write_text(DEEP_LEARNING_BIBTEX.replace("nature14539", "nature00000"))
    with pytest.raises(CommandError, match="1 of 1 failed"):
        call_command("import_papers", "--bibtex", str(bib))
    assert not Paper.objects.exists()
