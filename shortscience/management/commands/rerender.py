from django.core.management.base import BaseCommand
from tqdm import tqdm

from shortscience import markup
from shortscience.rendering import render_stored, rendered_model


class Command(BaseCommand):
    help = "Re-render every summary and comment whose HTML came from another renderer version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Re-render every row, stale or not."
        )

    def handle(self, *args, **options):
        version = markup.RENDERER_VERSION
        jobs = [("summaries", "summaries.Summary"), ("comments", "comments.Comment")]
        for label, model_label in jobs:
            model = rendered_model(model_label)
            qs = model.objects.all() if options["all"] else model.objects.stale(version)
            ids = list(qs.values_list("pk", flat=True))
            done = 0
            for pk in tqdm(
                ids, desc=label, unit="row", disable=not ids, file=self.stderr
            ):
                done += render_stored(model, pk)
            self.stdout.write(
                f"{label}: {done} of {len(ids)} re-rendered with {version}"
            )
