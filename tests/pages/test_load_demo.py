from io import StringIO

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db import transaction
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
    assert "(0 new)" in output.strip().split("\n")[-1]


def test_load_demo_reports_what_it_created():
    # The last line sums up; the progress bar before it is redrawn in place.
    output = load_demo().strip().split("\n")[-1]

    assert output.startswith(
        f"Demo content: {len(demo_data.PAPERS)} papers, {len(demo_data.SUMMARIES)} summaries, "
        f"{len(demo_data.COMMENTS)} comments, {len(demo_data.VOTES)} votes ("
    )
    assert "(0 new)" not in output
    assert "Sign in as mkovacs, tokafor, lchen, hlindqvist, rsilva" in output
    assert "hlindqvist moderates" in output


# A real commit, so the notifications queued on commit are sent (or not) as in `make run`.
@pytest.mark.django_db(transaction=True)
def test_load_demo_draws_a_progress_bar_and_prints_no_mail(capsys, mailoutbox):
    output = load_demo()

    assert "\rLoading the demo [........................] 0/6 venues" in output
    assert "[########################] 6/6 done" in output
    assert len(output.strip().split("\n")) == 2
    # Comment notifications would go to the console in development; they are dropped.
    assert mailoutbox == []
    assert "Subject:" not in capsys.readouterr().out


def test_demo_site_follows_the_port_of_site_url(settings):
    load_demo()
    settings.SITE_URL = "http://127.0.0.1:8001"

    load_demo()

    assert Site.objects.get(pk=1).domain == "127.0.0.1:8001"


def test_demo_leaves_a_real_site_domain_alone(settings):
    Site.objects.filter(pk=1).update(domain="shortscience.example.org")
    settings.SITE_URL = "http://127.0.0.1:8001"

    load_demo()

    assert Site.objects.get(pk=1).domain == "shortscience.example.org"


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


class TestWhatTheDemoHolds:
    """Tests that only read the demo share one load of it, rolled back after them.

    Each runs in a savepoint inside that transaction, as every `db` test does inside
    its own; the class scope ends the transaction before the tests after it.
    """

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def demo(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            load_demo()
            try:
                yield
            finally:
                transaction.set_rollback(True)

    def test_one_demo_user_is_a_moderator(self):
        moderators = [u.username for u in User.objects.all() if u.may_moderate]

        assert moderators == ["hlindqvist"]

    def test_demo_catalogue_is_broad(self):
        assert Paper.objects.count() >= 20
        assert Venue.objects.filter(papers__isnull=False).distinct().count() >= 5
        assert Paper.objects.values("year").distinct().count() >= 4

    def test_attention_is_all_you_need_is_neurips_2017(self):
        paper = Paper.objects.get(arxiv_id="1706.03762")

        assert paper.title == "Attention Is All You Need"
        assert (paper.venue.slug, paper.year) == ("neurips", 2017)
        assert paper.source == Paper.Source.ARXIV
        assert (
            paper.authorships.select_related("author").first().author.name
            == "Ashish Vaswani"
        )
        assert paper.summaries.count() == 3

    def test_rethinking_generalization_is_iclr_2017_beside_a_paper_without_summary(
        self,
    ):
        paper = Paper.objects.get(arxiv_id="1611.03530")
        iclr_2017 = Paper.objects.with_public_summary_count().filter(
            venue__slug="iclr", year=2017
        )

        assert (
            paper.title
            == "Understanding deep learning requires rethinking generalization"
        )
        assert (paper.venue.slug, paper.year) == ("iclr", 2017)
        assert iclr_2017.filter(public_summary_count=0).exists()

    def test_paper_without_arxiv_id_comes_from_its_doi(self):
        paper = Paper.objects.get(doi="10.1038/nature14236")

        assert paper.arxiv_id == ""
        assert paper.source == Paper.Source.CROSSREF
        assert paper.url == "https://doi.org/10.1038/nature14236"

    def test_demo_users_can_sign_in_with_the_demo_password(self, client):
        assert client.login(username="mkovacs", password="demo-password")

    def test_one_summary_is_anonymous(self):
        assert Summary.objects.filter(is_anonymous=True).count() == 1

    def test_nobody_votes_on_their_own_summary(self):
        assert Vote.objects.exists()
        assert not Vote.objects.filter(user=F("summary__writer")).exists()

    def test_scores_differ_between_summaries(self):
        assert Summary.objects.values("score").distinct().count() >= 4

    def test_comments_reply_two_levels_deep(self):
        assert Comment.objects.filter(depth=2, parent__parent__isnull=False).exists()

    def test_demo_site_replaces_the_default_domain(self):
        site = Site.objects.get(pk=1)

        assert (site.domain, site.name) == ("127.0.0.1:8000", "shortscience")
