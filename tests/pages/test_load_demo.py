from io import StringIO

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db.models import F

from comments.models import Comment
from comments.tasks import render_comment
from pages import demo as demo_data
from papers.models import Author, Authorship, Keyword, Paper, Venue
from shortscience import cache as page_cache
from summaries.models import Summary, Vote
from summaries.tasks import render_summary
from users.models import User

pytestmark = pytest.mark.django_db

MODELS = [Venue, Keyword, Author, Paper, Authorship, User, Summary, Comment, Vote]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "scores": dict(Summary.objects.values_list("pk", "score")),
        "reputations": dict(User.objects.values_list("pk", "reputation")),
        "votes": set(
            Vote.objects.values_list("user_id", "summary_id", "value", "updated_at")
        ),
    }


def test_load_demo_twice_changes_nothing():
    load_demo()
    first = snapshot()

    output = load_demo()

    assert snapshot() == first
    assert output.strip().endswith("(0 new)")


def test_load_demo_reports_what_it_created():
    output = load_demo()

    assert output.startswith(
        f"Demo content: {len(demo_data.PAPERS)} papers, {len(demo_data.SUMMARIES)} summaries, "
        f"{len(demo_data.COMMENTS)} comments, {len(demo_data.VOTES)} votes ("
    )
    assert "(0 new)" not in output


def test_demo_catalogue_is_broad():
    load_demo()

    assert Paper.objects.count() >= 20
    assert Venue.objects.filter(papers__isnull=False).distinct().count() >= 5
    assert Paper.objects.values("year").distinct().count() >= 4


def test_attention_is_all_you_need_is_neurips_2017():
    load_demo()

    paper = Paper.objects.get(arxiv_id="1706.03762")

    assert paper.title == "Attention Is All You Need"
    assert (paper.venue.slug, paper.year) == ("neurips", 2017)
    assert paper.source == Paper.Source.ARXIV
    assert (
        paper.authorships.select_related("author").first().author.name
        == "Ashish Vaswani"
    )
    assert paper.summaries.count() == 3


def test_rethinking_generalization_is_iclr_2017_beside_a_paper_without_summary():
    load_demo()

    paper = Paper.objects.get(arxiv_id="1611.03530")
    iclr_2017 = Paper.objects.with_public_summary_count().filter(
        venue__slug="iclr", year=2017
    )

    assert (
        paper.title == "Understanding deep learning requires rethinking generalization"
    )
    assert (paper.venue.slug, paper.year) == ("iclr", 2017)
    assert iclr_2017.filter(public_summary_count=0).exists()


def test_paper_without_arxiv_id_comes_from_its_doi():
    load_demo()

    paper = Paper.objects.get(doi="10.1038/nature14236")

    assert paper.arxiv_id == ""
    assert paper.source == Paper.Source.CROSSREF
    assert paper.url == "https://doi.org/10.1038/nature14236"


def test_demo_users_can_sign_in_with_the_demo_password(client):
    load_demo()

    assert client.login(username="mkovacs", password="demo-password")


def test_one_summary_is_anonymous():
    load_demo()

    assert Summary.objects.filter(is_anonymous=True).count() == 1


def test_nobody_votes_on_their_own_summary():
    load_demo()

    assert Vote.objects.exists()
    assert not Vote.objects.filter(user=F("summary__writer")).exists()


def test_scores_differ_between_summaries():
    load_demo()

    assert Summary.objects.values("score").distinct().count() >= 4


def test_comments_reply_two_levels_deep():
    load_demo()

    assert Comment.objects.filter(depth=2, parent__parent__isnull=False).exists()


def test_demo_site_replaces_the_default_domain():
    load_demo()

    site = Site.objects.get(pk=1)

    assert (site.domain, site.name) == ("127.0.0.1:8000", "shortscience")


def test_every_demo_text_is_queued_and_renders_math_without_errors(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        load_demo()
    # Run the render tasks as a worker would, whatever broker the settings name.
    for summary_id in Summary.objects.values_list("pk", flat=True):
        render_summary(summary_id)
    for comment_id in Comment.objects.values_list("pk", flat=True):
        render_comment(comment_id)

    summary_html = list(Summary.objects.values_list("body_html", flat=True))
    comment_html = list(Comment.objects.values_list("body_html", flat=True))
    # Each summary and comment queues its render and announces itself; the cache versions
    # the writes move are moved again after commit.
    touches = [c for c in callbacks if isinstance(c, page_cache.TouchAfterCommit)]
    assert touches
    assert len(callbacks) - len(touches) == 2 * (len(summary_html) + len(comment_html))
    assert all('class="katex"' in html for html in summary_html)
    assert all(comment_html)
    assert not any("math-error" in html for html in summary_html + comment_html)


def test_demo_summaries_exercise_the_renderer():
    load_demo()
    for summary_id in Summary.objects.values_list("pk", flat=True):
        render_summary(summary_id)

    html = "".join(Summary.objects.values_list("body_html", flat=True))

    assert 'class="math math-display"' in html
    assert "<pre><code" in html
    assert '<img src="/static/img/demo/attention.svg"' in html
    assert "<ol>" in html and "<ul>" in html
    assert '<a href="https://' in html
