import datetime as dt
import gzip
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from feeds import services, tasks
from summaries.models import Summary
from tests.factories import PaperFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _zip_names(response) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_zip_has_one_markdown_file_per_public_summary(client):
    writer = UserFactory(username="ada")
    summary = SummaryFactory(
        writer=writer,
        paper=PaperFactory(title="Notes on the Engine"),
        body="# Notes\n\nThe engine computes $B_n$.",
        published_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
    )
    SummaryFactory(writer=writer, is_private=True)
    SummaryFactory(writer=writer, status=Summary.Status.DRAFT, published_at=None)
    SummaryFactory(writer=writer, deleted_at=timezone.now())

    response = client.get("/users/ada/summaries.zip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="ada-summaries.zip"' in response["Content-Disposition"]
    files = _zip_names(response)
    name = f"ada-summaries/2024-05-01-notes-on-the-engine-{summary.pk}.md"
    assert list(files) == [name]
    text = files[name]
    assert text.startswith('---\ntitle: "Summary of Notes on the Engine"\n')
    assert f'url: "http://127.0.0.1:8000/summaries/{summary.pk}/"' in text
    assert text.endswith("---\n\n# Notes\n\nThe engine computes $B_n$.\n")


def test_zip_leaves_out_anonymous_summaries_except_for_their_writer(client):
    writer = UserFactory(username="grace")
    named = SummaryFactory(writer=writer)
    anonymous = SummaryFactory(writer=writer, is_anonymous=True)

    files = _zip_names(client.get("/users/grace/summaries.zip"))
    assert [n.endswith(f"-{named.pk}.md") for n in files] == [True]

    client.force_login(writer)
    files = _zip_names(client.get("/users/grace/summaries.zip"))
    assert sorted(int(n.rsplit("-", 1)[1][:-3]) for n in files) == sorted(
        [named.pk, anonymous.pk]
    )


def test_zip_of_an_unknown_user_is_404(client):
    assert client.get("/users/nobody/summaries.zip").status_code == 404


def _read_dump(name: str) -> list[dict]:
    with default_storage.open(name, "rb") as raw, gzip.open(raw, "rt") as lines:
        return [json.loads(line) for line in lines]


def test_dump_has_a_licence_header_then_every_public_summary(media):
    public = SummaryFactory()
    anonymous = SummaryFactory(is_anonymous=True)
    SummaryFactory(is_private=True)
    SummaryFactory(status=Summary.Status.DRAFT, published_at=None)
    SummaryFactory(deleted_at=timezone.now())

    name = tasks.write_public_dump()

    header, *records = _read_dump(name)
    assert name.startswith("dumps/shortscience-summaries-")
    assert header["type"] == "header"
    assert header["licence"] == "CC-BY-4.0"
    assert header["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "Attribution 4.0" in header["licence_text"]
    assert "credit" in header["attribution"].lower()
    assert [r["id"] for r in records] == [public.pk, anonymous.pk]
    assert records[0]["writer_username"] == public.writer.username
    assert records[0]["paper"]["arxiv_id"] == public.paper.arxiv_id
    assert records[1]["writer"] == "Anonymous"
    assert records[1]["writer_username"] is None
    assert anonymous.writer.username not in json.dumps(records[1])


def test_latest_dump_is_downloadable(client, media):
    assert client.get("/dumps/latest.jsonl.gz").status_code == 404
    SummaryFactory()
    services.dump_write(now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    newest = services.dump_write(now=dt.datetime(2024, 1, 2, tzinfo=dt.UTC))

    response = client.get("/dumps/latest.jsonl.gz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert newest.rsplit("/", 1)[1] in response["Content-Disposition"]
    lines = gzip.decompress(b"".join(response.streaming_content)).splitlines()
    assert json.loads(lines[0])["type"] == "header"
    assert len(lines) == 2


def test_dump_keeps_one_file_per_day_and_the_last_seven(media):
    for day in range(1, 11):
        services.dump_write(now=dt.datetime(2024, 3, day, tzinfo=dt.UTC))
    services.dump_write(now=dt.datetime(2024, 3, 10, 23, tzinfo=dt.UTC))

    names = services.dump_names()

    assert len(names) == services.DUMP_KEEP
    assert names[0] == "shortscience-summaries-2024-03-10.jsonl.gz"
    assert names[-1] == "shortscience-summaries-2024-03-04.jsonl.gz"
