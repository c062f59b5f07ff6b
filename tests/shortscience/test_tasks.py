import pytest
from celery import current_app
from django.conf import settings

from comments.tasks import render_comment, rerender_stale_comments
from shortscience import markup
from shortscience.tasks import render_row, rerender_stale
from summaries.tasks import render_summary
from summaries.tasks import rerender_stale as rerender_stale_summaries
from tests.factories import CommentFactory, SummaryFactory

pytestmark = pytest.mark.django_db


def test_rerender_stale_renders_only_the_named_models_stale_rows():
    fresh = SummaryFactory(body="*fresh*")
    stale = SummaryFactory(body="*stale*", body_html="<p>old</p>", rendered_by="md0")
    comment = CommentFactory(body="*old*", body_html="<p>old</p>", rendered_by="md0")

    assert rerender_stale("summaries.Summary") == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    comment.refresh_from_db()
    assert stale.body_html.strip() == "<p><em>stale</em></p>"
    assert stale.rendered_by == markup.RENDERER_VERSION
    assert fresh.body_html.strip() == "<p><em>fresh</em></p>"
    assert comment.body_html == "<p>old</p>"

    assert rerender_stale("comments.Comment") == 1
    comment.refresh_from_db()
    assert comment.body_html.strip() == "<p><em>old</em></p>"


def test_render_row_renders_a_comment_and_skips_a_missing_row():
    comment = CommentFactory(body="$x^2$", body_html="", rendered_by="")

    assert render_row("comments.Comment", comment.pk) is True
    assert render_row("comments.Comment", 987654) is False

    comment.refresh_from_db()
    assert 'class="katex"' in comment.body_html


def test_render_row_refuses_a_model_without_rendered_markdown():
    with pytest.raises(ValueError, match="does not store rendered Markdown"):
        render_row("papers.Paper", 1)


def test_old_task_names_still_render():
    summary = SummaryFactory(body="*s*", body_html="", rendered_by="")
    comment = CommentFactory(body="*c*", body_html="", rendered_by="")
    stale = SummaryFactory(body="*t*", body_html="<p>old</p>", rendered_by="md0")

    render_summary(summary.pk)
    render_comment(comment.pk)

    summary.refresh_from_db()
    comment.refresh_from_db()
    assert summary.body_html.strip() == "<p><em>s</em></p>"
    assert comment.body_html.strip() == "<p><em>c</em></p>"
    assert rerender_stale_summaries() == 1
    assert rerender_stale_comments() == 0
    assert render_summary.name == "summaries.tasks.render_summary"
    assert render_comment.name == "comments.tasks.render_comment"
    stale.refresh_from_db()
    assert stale.rendered_by == markup.RENDERER_VERSION


def test_beat_rerenders_each_model_through_the_shared_task():
    schedule = settings.CELERY_BEAT_SCHEDULE
    entries = [
        schedule["every-hour-rerender-stale"],
        schedule["every-hour-rerender-stale-comments"],
    ]

    assert [(e["task"], e["args"]) for e in entries] == [
        ("shortscience.tasks.rerender_stale", ("summaries.Summary",)),
        ("shortscience.tasks.rerender_stale", ("comments.Comment",)),
    ]
    assert "shortscience.tasks.rerender_stale" in current_app.tasks
