import json
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from shortscience import markup


def postgres_url(db: dict) -> str:
    """Return a libpq connection URL for a Django database settings dict."""
    from urllib.parse import quote

    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{quote(db['NAME'])}"


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or a copy of the SQLite file) and the uploaded "
        "media into one folder; restore it with `manage.py restore <folder>`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=Path("backups"))

    def handle(self, *args, output: Path, **options):
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        target = output / f"shortscience-{stamp}"
        target.mkdir(parents=True, exist_ok=False)
        vendor = connection.vendor
        if vendor == "postgresql":
            self._dump_postgres(target / "db.dump")
        elif vendor == "sqlite":
            self._dump_sqlite(target / "db.sqlite3")
        else:
            raise CommandError(f"backups of {vendor} databases are not supported")
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
            if media.exists():
                archive.add(media, arcname="media")
        (target / "manifest.json").write_text(
            json.dumps(
                {
                    "created": timezone.now().isoformat(),
                    "database": vendor,
                    "renderer": markup.RENDERER_VERSION,
                },
                indent=2,
            )
        )
        self.stdout.write(str(target))

    def _dump_postgres(self, path: Path) -> None:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError("pg_dump is not installed (Debian: postgresql-client)")
        # The arguments come from the site's own settings, never from a request.
        result = subprocess.run(  # noqa: S603  # nosec B603
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={path}",
                f"--dbname={postgres_url(connection.settings_dict)}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")

    def _dump_sqlite(self, path: Path) -> None:
        connection.ensure_connection()
        with sqlite3.connect(path) as out:
            # The online backup API copies a consistent snapshot while the site runs.
            connection.connection.backup(out)
        out.close()
