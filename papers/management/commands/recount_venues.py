from django.core.management.base import BaseCommand

from papers import services


class Command(BaseCommand):
    help = (
        "Recount every venue's coverage counts (papers and summarised papers per year). "
        "The site recounts after each write and every hour; run this after loading "
        "papers or summaries straight into the database."
    )

    def handle(self, *args, **options):
        changed = services.venues_recount()
        self.stdout.write(f"Venues whose counts changed: {changed}.")
