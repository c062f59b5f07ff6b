from django.core.management.base import BaseCommand, CommandError

from papers import services
from papers.models import Venue
from papers.sources.http import SourceError


class Command(BaseCommand):
    help = (
        "Import the papers a venue accepted in a year from OpenReview (e.g. `iclr 2024`), "
        "with their decision (oral, spotlight, poster) and forum. Rejected and withdrawn "
        "submissions are left out unless --include-rejected. Safe to run again: papers "
        "already here (from dblp, arXiv or an earlier run) are matched, never twinned."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "venue", help='the venue\'s slug on this site, such as "iclr"'
        )
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--include-rejected",
            action="store_true",
            help="also store rejected, withdrawn and undecided submissions, with their "
            "decision (they stay out of the venue's list)",
        )
        parser.add_argument(
            "--api",
            type=int,
            choices=services.openreview.API_VERSIONS,
            default=None,
            help="ask OpenReview's API 1 or 2 only (default: 2, then 1 if 2 lists "
            "nothing, as for years before the venue moved to API 2)",
        )
        parser.add_argument(
            "--id",
            dest="openreview_id",
            default="",
            help="the venue-year's OpenReview id when it is not the venue's own "
            '(such as "ICLR.cc/2024/Conference")',
        )

    def handle(self, *args, venue, year, include_rejected, api, openreview_id, **opts):
        found = Venue.objects.filter(slug=venue).first()
        if found is None:
            raise CommandError(f"No venue with the slug {venue!r}")
        if not (openreview_id or found.openreview_id):
            raise CommandError(
                f"{found} has no OpenReview id: set one in the admin (such as "
                '"ICLR.cc/{year}/Conference") or pass --id'
            )
        try:
            report = services.venue_import_openreview(
                venue=found,
                year=year,
                include_rejected=include_rejected,
                api=api,
                openreview_id=openreview_id,
            )
        except SourceError as exc:
            raise CommandError(f"OpenReview: {exc.message}") from exc
        self.stdout.write(report.summary())
        if report.found == 0:
            raise CommandError(
                f"OpenReview lists no submissions for {report.openreview_id}; check "
                "the venue's OpenReview id or pass --id"
            )
