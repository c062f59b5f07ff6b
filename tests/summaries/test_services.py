import pytest
from django.core.management import call_command

from shortscience import markup
from shortscience.cache import TouchAfterCommit
from summaries import services
from summaries.models import Summary
from tests.factories import PaperFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_saves_text_then_renders_after_commit(
    django_capture_on_commit_callbacks,
):
    paper = PaperFactory(arxiv_version=2)
    with django_capture_on_commit_callbacks() as callbacks:
        summary = services.summary_create(
            paper=paper, writer=UserFactory(), body="Loss $\\mathbb{E}[x_1]$"
        )
    assert Summary.objects.get(pk=summary.pk).body_html == ""  # nothing rendered yet
    # The render task, then the "published" signal (and the page cache's versions).
    callbacks = [c for c in callbacks if not isinstance(c, TouchAfterCommit)]
    assert len(callbacks) == 2
    callbacks[0]()
    summary.refresh_from_db()
    assert 'class="katex"' in summary.body_html
    assert summary.rendered_by == markup.RENDERER_VERSION
    assert summary.arxiv_version == 2


def test_render_does_not_overwrite_a_newer_text(monkeypatch):
    summary = SummaryFactory(body="old", body_html="", rendered_by="")
    real_render = markup.render_document

    def render_while_the_writer_saves(body):
        # The writer saves a new text while this (slow) render of the old one runs.
        Summary.objects.filter(pk=summary.pk).update(body="new text")
        return real_render(body)

    monkeypatch.setattr(markup, "render_document", render_while_the_writer_saves)
    assert services.summary_render(summary_id=summary.pk) is False
    summary.refresh_from_db()
    assert summary.body == "new text"
    assert summary.body_html == ""  # the render of "old" was not stored
    assert summary.rendered_by == ""

    monkeypatch.setattr(markup, "render", real_render)
    assert services.summary_render(summary_id=summary.pk) is True
    summary.refresh_from_db()
    assert summary.body_html.strip() == "<p>new text</p>"
    assert summary.rendered_by == markup.RENDERER_VERSION


def test_render_of_a_deleted_summary_is_a_no_op():
    assert services.summary_render(summary_id=987654) is False


def test_broker_down_still_saves_and_renders_in_process(
    monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from summaries.tasks import render_summary

    def refuse(*args, **kwargs):
        raise OperationalError(
            "Error 111 connecting to 127.0.0.1:6379. Connection refused."
        )

    monkeypatch.setattr(render_summary, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.summary_create(
            paper=PaperFactory(), writer=UserFactory(), body="Still *saved*."
        )
    summary.refresh_from_db()
    assert "<em>saved</em>" in summary.body_html


def test_rerender_command_renders_only_stale_rows(capsys):
    fresh = SummaryFactory()
    stale = SummaryFactory(body="*stale*", body_html="<p>old</p>", rendered_by="md0")
    call_command("rerender")
    out = capsys.readouterr().out
    assert "summaries: 1 of 1 re-rendered" in out
    stale.refresh_from_db()
    assert stale.body_html.strip() == "<p><em>stale</em></p>"
    assert Summary.objects.get(pk=fresh.pk).rendered_by == markup.RENDERER_VERSION


def test_vote_set_is_idempotent_and_updates_score_and_reputation():
    summary = SummaryFactory()
    voter = UserFactory()
    assert services.vote_set(user=voter, summary=summary, value=1) == 1
    assert services.vote_set(user=voter, summary=summary, value=1) == 1
    assert services.vote_set(user=UserFactory(), summary=summary, value=-1) == 0
    assert services.vote_set(user=voter, summary=summary, value=0) == -1
    summary.writer.refresh_from_db()
    assert summary.writer.reputation == -1


def test_no_vote_on_own_summary():
    summary = SummaryFactory()
    with pytest.raises(PermissionError):
        services.vote_set(user=summary.writer, summary=summary, value=1)


def test_nul_characters_are_dropped_not_fatal():
    summary = services.summary_save(
        paper=PaperFactory(), writer=UserFactory(), body="a\x00b", publish=True
    )
    assert Summary.objects.get(pk=summary.pk).body == "ab"
