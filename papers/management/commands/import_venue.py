from django.core.management.base import BaseCommand, CommandError

from papers import services
from papers.sources.http import SourceError


class Command(BaseCommand):
    help = (
        "Import every paper dblp lists for a venue-year (e.g. `conf/nips 2017`, "
        "`journals/jmlr 2014`), link them to arXiv, and report what changed. "
        "Safe to run again: it fills gaps and never makes twins."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help='the venue\'s dblp key, such as "conf/nips"')
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--toc",
            default="",
            help="dblp's table of contents when it is not <venue><year> "
            '(such as "db/conf/nips/neurips2020.bht")',
        )
        parser.add_argument(
            "--no-arxiv",
            action="store_true",
            help="skip looking the papers up on arXiv",
        )
        parser.add_argument(
            "--link-limit",
            type=int,
            default=None,
            help="look at most this many papers up on arXiv in this run",
        )

    def handle(self, *args, key, year, toc, no_arxiv, link_limit, **options):
        if not key.startswith(("conf/", "journals/", "series/")):
            raise CommandError(f'{key!r} is not a dblp venue key such as "conf/nips"')
        try:
            report = services.venue_import(
                key=key,
                year=year,
                toc=toc or None,
                link_arxiv=not no_arxiv,
                link_limit=link_limit,
            )
        except SourceError as exc:
            raise CommandError(f"dblp: {exc.message}") from exc
        self.stdout.write(report.summary())
        if report.found == 0:
            raise CommandError(
                f"dblp lists no papers under {report.toc}; name the table of "
                "contents with --toc"
            )
