import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
from pathlib import Path

import environ
import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from .backup import postgres_url


class Command(BaseCommand):
    help = (
        "Restore a folder made by `manage.py backup` into an EMPTY database (the current "
        "one, or --database-url) and the media folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--database-url", help="restore into this database instead")
        parser.add_argument(
            "--media-root", type=Path, help="extract the media here instead"
        )

    def handle(self, *args, folder: Path, database_url, media_root, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a backup folder")
        db = (
            environ.Env.db_url_config(database_url)
            if database_url
            else settings.DATABASES["default"]
        )
        if (folder / "db.dump").exists():
            self._restore_postgres(folder / "db.dump", db)
        elif (folder / "db.sqlite3").exists():
            self._restore_sqlite(folder / "db.sqlite3", db)
        else:
            raise CommandError(f"{folder} holds no database dump")
        media = media_root or Path(settings.MEDIA_ROOT)
        with tarfile.open(folder / "media.tar.gz") as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("media")]
            for member in members:
                member.name = member.name.removeprefix("media").lstrip("/")
            media.mkdir(parents=True, exist_ok=True)
            archive.extractall(
                media, members=[m for m in members if m.name], filter="data"
            )
        self.stdout.write(f"Restored {folder} into {db['NAME']} and {media}")

    def _restore_postgres(self, dump: Path, db: dict) -> None:
        if not db["ENGINE"].endswith("postgresql"):
            raise CommandError("a Postgres dump restores only into Postgres")
        url = postgres_url(db)
        with psycopg2.connect(url) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"database {db['NAME']} is not empty: restore into a new, empty database"
                )
        pg_restore = shutil.which("pg_restore")
        if pg_restore is None:
            raise CommandError(
                "pg_restore is not installed (Debian: postgresql-client)"
            )
        # The arguments come from an operator's command line, never from a request.
        result = subprocess.run(  # noqa: S603  # nosec B603
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={url}",
                str(dump),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")

    def _restore_sqlite(self, source: Path, db: dict) -> None:
        if not db["ENGINE"].endswith("sqlite3"):
            raise CommandError("a SQLite backup restores only into SQLite")
        target = Path(db["NAME"])
        if target.exists() and target.stat().st_size:
            with sqlite3.connect(target) as conn:
                tables = conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type='table'"
                ).fetchone()[0]
            if tables:
                raise CommandError(
                    f"{target} is not empty: restore into a new database file"
                )
        shutil.copyfile(source, target)
