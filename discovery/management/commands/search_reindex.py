from django.core.management.base import BaseCommand
from tqdm import tqdm

from discovery import services
from papers.models import Paper


class Command(BaseCommand):
    help = (
        "Rebuild the search index of every paper and its public summaries "
        "(once after installing search on a site that has summaries)."
    )

    def handle(self, *args, **options):
        total = Paper.objects.count()
        with tqdm(
            total=total, unit="paper", file=self.stderr, disable=not total
        ) as bar:
            done = services.index_rebuild(progress=bar.update)
        self.stdout.write(f"{done} papers re-indexed")
