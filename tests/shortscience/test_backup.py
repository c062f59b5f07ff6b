import os
import sqlite3
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db(transaction=True)

PG = "postgres://postgres@127.0.0.1:5432"


def backup(tmp_path, capsys) -> Path:
    call_command("backup", "--output", str(tmp_path / "backups"))
    return Path(capsys.readouterr().out.strip())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "images").mkdir(parents=True)
    (settings.MEDIA_ROOT / "images" / "figure.png").write_bytes(b"\x89PNG fake")
    return settings.MEDIA_ROOT


@pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("REQUIRE_SERVICES"),
    reason="needs Postgres (DATABASE_URL); CI runs it",
)
def test_postgres_backup_restores_into_an_empty_database(tmp_path, capsys, media):
    summary = SummaryFactory(body="kept across the restore")
    folder = backup(tmp_path, capsys)
    assert (folder / "db.dump").stat().st_size > 0

    name = f"shortscience_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        restored_media = tmp_path / "restored-media"
        call_command(
            "restore",
            str(folder),
            "--database-url",
            f"{PG}/{name}",
            "--media-root",
            str(restored_media),
        )
        with psycopg2.connect(f"{PG}/{name}") as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT body FROM summaries_summary WHERE id = %s", [summary.pk]
            )
            assert cursor.fetchone() == ("kept across the restore",)
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 10
        assert (
            restored_media / "images" / "figure.png"
        ).read_bytes() == b"\x89PNG fake"

        with pytest.raises(CommandError, match="not empty"):
            call_command("restore", str(folder), "--database-url", f"{PG}/{name}")
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite path of the backup"
)
def test_sqlite_backup_restores_into_a_new_file(tmp_path, capsys, media):
    summary = SummaryFactory(body="kept in SQLite")
    folder = backup(tmp_path, capsys)
    target = tmp_path / "restored.sqlite3"
    call_command(
        "restore",
        str(folder),
        "--database-url",
        f"sqlite:///{target}",
        "--media-root",
        str(tmp_path / "m"),
    )
    with sqlite3.connect(target) as conn:
        row = conn.execute(
            "SELECT body FROM summaries_summary WHERE id = ?", [summary.pk]
        ).fetchone()
    assert row == ("kept in SQLite",)
    assert (tmp_path / "m" / "images" / "figure.png").exists()


def test_restore_of_a_folder_without_a_dump_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no database dump"):
        call_command("restore", str(tmp_path))
