import re
from dataclasses import replace
from pathlib import Path

import bibtexparser
from bibtexparser.bparser import BibTexParser
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from papers import selectors, services
from papers.models import Paper, PaperImport
from papers.sources.bibsonomy import parse_bibtex
from shortscience.identifiers import classify

_ENTRY_HEAD = re.compile(r"^[ \t]*@[ \t]*\w+[ \t]*[{(]", re.M)


def malformed_bibtex_entries(text: str) -> list[tuple[int, str]]:
    """Return (line number, first line) of each entry bibtexparser could not read.

    bibtexparser 1.x drops such entries without a word, keeping their text among the
    file's comments; an entry head ("@article{") in a comment is a skipped entry.
    """
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    try:
        comments = bibtexparser.loads(text, parser=parser).comments
    except Exception:  # the whole file is unreadable; parse_bibtex reports it
        return []
    found = []
    cursor = 0
    for comment in comments:
        heads = list(_ENTRY_HEAD.finditer(comment))
        if not heads:
            continue
        start = text.find(comment, cursor)
        if start < 0:
            continue
        cursor = start + len(comment)
        for head in heads:
            offset = start + head.start()
            line = text.count("\n", 0, offset) + 1
            first_line = comment[head.start() :].split("\n", 1)[0].strip()
            found.append((line, first_line))
    return found


class Command(BaseCommand):
    help = (
        "Import papers by arXiv id, URL or DOI, from a file with one id per line, or from "
        "a BibTeX reading list (BibSonomy, Zotero, DBLP). Exits non-zero if any failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", help="arXiv ids, arXiv URLs or DOIs")
        parser.add_argument(
            "--file", type=Path, help="a file with one identifier per line"
        )
        parser.add_argument("--bibtex", type=Path, help="a BibTeX file")

    def handle(self, *args, ids, file, bibtex, **options):
        texts = list(ids)
        if file:
            lines = self._read(file).splitlines()
            texts += [t.strip() for t in lines if t.strip() and not t.startswith("#")]
        extra = {}
        requests = []  # (text shown in the table, identifier or BibTeX data)
        rows: list[tuple[str, str, str]] = []  # (label, outcome, detail)
        for text in texts:
            identifier = classify(text)
            requests.append((text, identifier))
        if bibtex:
            bibtex_text = self._read(bibtex)
            for line, head in malformed_bibtex_entries(bibtex_text):
                self.stderr.write(
                    f"{bibtex}: line {line}: malformed BibTeX entry: {head}"
                )
                rows.append((f"line {line}", "failed", "malformed BibTeX entry"))
            for entry in parse_bibtex(bibtex_text):
                data = services.data_from_bibsonomy(entry)
                if not entry.interhash:
                    # Exported by Zotero or DBLP rather than BibSonomy.
                    data = replace(data, source=Paper.Source.MANUAL)
                label = entry.bibtex_key or entry.title
                if entry.arxiv_id:
                    requests.append((label, classify(entry.arxiv_id), data))
                elif entry.doi:
                    requests.append((label, classify(entry.doi), data))
                else:
                    requests.append((label, None, data))
        if not requests and not rows:
            raise CommandError("Nothing to import: give ids, --file or --bibtex.")

        arxiv_batch: list[tuple[str, PaperImport]] = []
        with tqdm(total=len(requests), unit="paper", file=self.stderr) as bar:
            for label, identifier, *data in requests:
                if identifier is None:
                    paper, created = services.paper_upsert(data[0])
                    rows.append(
                        (label, "imported" if created else "updated", paper.title)
                    )
                    bar.update(1)
                    continue
                if identifier.kind not in ("arxiv", "doi", "bibsonomy"):
                    rows.append(
                        (label, "failed", identifier.message or "not an identifier")
                    )
                    bar.update(1)
                    continue
                existed = selectors.paper_find(identifier) is not None
                paper_import = services.import_create(identifier=identifier, run=False)
                paper_import.existed = existed
                if data:
                    extra[paper_import.pk] = data[0]
                if identifier.kind == "arxiv":
                    arxiv_batch.append((label, paper_import))
                    continue
                services.import_run(import_id=paper_import.pk)
                if data:
                    paper_import.refresh_from_db()
                    if paper_import.status == PaperImport.Status.DONE:
                        services.paper_upsert(data[0])
                    else:
                        own = services.import_from_own_record(
                            paper_import=paper_import, data=data[0]
                        )
                        if own is not None:
                            source = paper_import.get_source_display()
                            rows.append(
                                (
                                    label,
                                    "updated" if existed else "imported",
                                    f"{own.title} (from the file: {source} did not"
                                    " answer; its details follow later)",
                                )
                            )
                            bar.update(1)
                            continue
                rows.append(self._row(label, paper_import))
                bar.update(1)
            if arxiv_batch:
                imports = [imp for _, imp in arxiv_batch]
                services.import_arxiv_batch(imports, extra=extra, progress=bar.update)
                for label, paper_import in arxiv_batch:
                    rows.append(self._row(label, paper_import))

        self._table(rows)
        failed = sum(1 for _, outcome, _ in rows if outcome == "failed")
        if failed:
            raise CommandError(f"{failed} of {len(rows)} failed")

    def _read(self, path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc

    def _row(self, label: str, paper_import: PaperImport) -> tuple[str, str, str]:
        existed = getattr(paper_import, "existed", False)
        paper_import.refresh_from_db()
        if paper_import.status == PaperImport.Status.DONE and paper_import.paper:
            outcome = "updated" if existed else "imported"
            return (label, outcome, paper_import.paper.title)
        return (label, "failed", paper_import.last_error)

    def _table(self, rows: list[tuple[str, str, str]]) -> None:
        width = min(40, max(len(label) for label, _, _ in rows))
        for label, outcome, detail in rows:
            self.stdout.write(f"{label[:width]:<{width}}  {outcome:<8}  {detail[:100]}")
        counts = {
            k: sum(1 for _, o, _ in rows if o == k)
            for k in ("imported", "updated", "failed")
        }
        self.stdout.write(
            f"imported: {counts['imported']}  updated: {counts['updated']}  failed: {counts['failed']}"
        )
