from django.core.management.base import BaseCommand
from tqdm import tqdm

from comments.models import Comment
from comments.services import comment_render
from shortscience import markup
from summaries.models import Summary
from summaries.services import summary_render


class Command(BaseCommand):
    help = "Re-render every summary and comment whose HTML came from another renderer version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Re-render every row, stale or not."
        )

    def handle(self, *args, **options):
        version = markup.RENDERER_VERSION
        jobs = [
            ("summaries", Summary.objects, summary_render, "summary_id"),
            ("comments", Comment.objects, comment_render, "comment_id"),
        ]
        for label, manager, render_one, kwarg in jobs:
            qs = manager.all() if options["all"] else manager.stale(version)
            ids = list(qs.values_list("pk", flat=True))
            done = 0
            for pk in tqdm(
                ids, desc=label, unit="row", disable=not ids, file=self.stderr
            ):
                done += render_one(**{kwarg: pk})
            self.stdout.write(
                f"{label}: {done} of {len(ids)} re-rendered with {version}"
            )
