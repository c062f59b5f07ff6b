"""Inputs built to make a Markdown or TeX parser hang, and what the site does with them.

Each either renders completely (safe HTML) or is refused by the service with a clear
message. There is no wall-clock bound here: quadratic or worse behaviour shows up as a run
that takes minutes on these sizes, and render speed is measured by
benchmarks/render_bench.py, not asserted on a shared machine.
"""

import pytest
from django.core.exceptions import ValidationError

from comments.services import comment_create
from shortscience.markup import render
from summaries import services as summary_services
from summaries.services import summary_create
from tests.factories import PaperFactory, SummaryFactory, UserFactory
from tests.security.xss import unsafe_parts

PATHOLOGICAL = {
    "list nested 10,000 deep": "- " * 10_000 + "x",
    "quote nested 10,000 deep": ">" * 10_000 + " x",
    "quote and list nested": "> - " * 5_000 + "x",
    "100,000 dollar signs": "$" * 100_000,
    "50,000 open brackets": "[" * 50_000,
    "10,000 nested braces in math": "$" + "{" * 10_000 + "$",
    "10,000 nested braces in display math": "$$\n" + "{" * 10_000 + "\n$$",
    "1 MB paragraph": ("The loss is convex and the rate decays. " * 25_000)[:1_000_000],
    "1 MB word": "a" * 1_000_000,
    # Found while writing these tests: each took from 5 s to minutes at 100,000
    # characters before the fixes in shortscience/markup/rules.py.
    "50,000 colons after text (autolink back-scan)": "a:" * 50_000,
    "33,000 '<a:' (autolink back-scan)": "<a:" * 33_000,
    "20,000 'http:' (autolink back-scan)": "http:" * 20_000,
    "50,000 unclosed \\( (closer search)": "\\(" * 50_000,
    "50,000 unclosed \\[ (closer search)": "\\[" * 50_000,
    # Known slow spots of markdown-it, within the limit.
    "50,000 image openers": "![" * 50_000,
    "50,000 emphasis openers": "*a" * 50_000,
    "25,000 unfinished links": "[a](" * 25_000,
    "5,000 inline formulas": "$a$ " * 5_000,
}


@pytest.mark.parametrize("source", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_renders_to_safe_html(source):
    output = render(source)

    assert output.startswith("<")
    assert unsafe_parts(output) == []


WITHIN_LIMIT = {
    name: PATHOLOGICAL[name]
    for name in (
        "100,000 dollar signs",
        "list nested 10,000 deep",
        "50,000 colons after text (autolink back-scan)",
    )
}
OVER_LIMIT = {
    name: source
    for name, source in PATHOLOGICAL.items()
    if len(source) > summary_services.MAX_BODY
}


@pytest.mark.django_db
@pytest.mark.parametrize("source", WITHIN_LIMIT.values(), ids=WITHIN_LIMIT.keys())
def test_summary_service_saves_and_renders_pathological_input(
    source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        summary = summary_create(
            paper=PaperFactory(), writer=UserFactory(), body=source
        )

    summary.refresh_from_db()
    assert summary.body_html == render(source)
    assert summary.body_html.startswith("<")


@pytest.mark.django_db
@pytest.mark.parametrize("source", OVER_LIMIT.values(), ids=OVER_LIMIT.keys())
def test_summary_service_refuses_pathological_input_over_the_limit(source):
    message = f"A summary can be at most 100,000 characters long; this one has {len(source):,}."

    with pytest.raises(ValidationError) as refused:
        summary_create(paper=PaperFactory(), writer=UserFactory(), body=source)

    assert refused.value.messages == [message]


COMMENTS_WITHIN_LIMIT = {
    "10,000 dollar signs": "$" * 10_000,
    "10,000 open brackets": "[" * 10_000,
    "list nested 4,999 deep": "- " * 4_999 + "x",
    "5,000 colons after text": "a:" * 5_000,
    "9,998 nested braces in math": "$" + "{" * 9_998 + "$",
}
COMMENTS_OVER_LIMIT = {
    "10,001 dollar signs": "$" * 10_001,
    "100,000 dollar signs": "$" * 100_000,
    "1 MB paragraph": PATHOLOGICAL["1 MB paragraph"],
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source", COMMENTS_WITHIN_LIMIT.values(), ids=COMMENTS_WITHIN_LIMIT.keys()
)
def test_comment_service_saves_and_renders_pathological_input(
    source, django_capture_on_commit_callbacks
):
    summary = SummaryFactory(body_html="<p>x</p>")

    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(summary=summary, writer=UserFactory(), body=source)

    comment.refresh_from_db()
    assert comment.body_html == render(source)
    assert comment.body_html.startswith("<")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source", COMMENTS_OVER_LIMIT.values(), ids=COMMENTS_OVER_LIMIT.keys()
)
def test_comment_service_refuses_pathological_input_over_the_limit(source):
    summary = SummaryFactory(body_html="<p>x</p>")
    message = f"A comment can be at most 10,000 characters long; this one has {len(source):,}."

    with pytest.raises(ValidationError) as refused:
        comment_create(summary=summary, writer=UserFactory(), body=source)

    assert refused.value.messages == [message]
