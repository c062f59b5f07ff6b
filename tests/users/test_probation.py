import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comments.models import Comment
from comments.services import comment_create
from community.models import ModerationLog, Report
from community.services import report_create
from summaries.models import Summary
from summaries.services import summary_save
from tests.conftest import sign_in_with_second_factor
from tests.factories import CommentFactory, PaperFactory, SummaryFactory, UserFactory
from users.probation import outside_references

pytestmark = pytest.mark.django_db

THREE_LINKS = (
    "See [a](https://a.example/x), <https://b.example/> and https://c.example/paper "
    "for the details of this method."
)
OUTSIDE_IMAGE = "The figure: ![loss curve](https://img.example/loss.png)"
OWN_IMAGE = "The figure: ![loss curve](/media/summary-images/loss.png)"


@pytest.mark.parametrize(
    ("source", "links", "images"),
    [
        (THREE_LINKS, 3, 0),
        (OUTSIDE_IMAGE, 0, 1),
        (OWN_IMAGE, 0, 0),
        ("![a][fig]\n\n[fig]: https://img.example/a.png", 0, 1),
        ("No links, only $x^2$ and www.example.org.", 1, 0),
    ],
)
def test_links_and_outside_images_are_counted(source, links, images):
    found = outside_references(source)
    assert (found.links, found.external_images) == (links, images)


def test_a_new_accounts_first_summary_may_not_carry_many_links(settings):
    settings.PROBATION_MAX_LINKS = 2
    writer = UserFactory()

    with pytest.raises(ValidationError, match="at most 2 links"):
        summary_save(
            paper=PaperFactory(), writer=writer, body=THREE_LINKS, publish=True
        )

    assert not Summary.objects.filter(writer=writer, status="published").exists()


def test_a_new_accounts_first_comment_may_not_show_outside_images():
    with pytest.raises(ValidationError, match="images from other sites"):
        comment_create(
            summary=SummaryFactory(), writer=UserFactory(), body=OUTSIDE_IMAGE
        )

    assert not Comment.objects.exists()


def test_drafts_and_uploaded_figures_are_not_held_back():
    writer = UserFactory()

    draft = summary_save(paper=PaperFactory(), writer=writer, body=THREE_LINKS)
    published = summary_save(
        paper=PaperFactory(), writer=writer, body=OWN_IMAGE, publish=True
    )

    assert draft.status == Summary.Status.DRAFT
    assert published.status == Summary.Status.PUBLISHED and not published.is_hidden


def test_probation_ends_with_reputation_or_after_the_first_posts(settings):
    settings.PROBATION_POSTS = 2
    trusted = UserFactory(reputation=3)
    regular = UserFactory()
    CommentFactory.create_batch(2, writer=regular)

    for writer in (trusted, regular):
        comment = comment_create(
            summary=SummaryFactory(), writer=writer, body=THREE_LINKS
        )
        assert not comment.is_hidden


def test_in_hold_mode_the_post_waits_hidden_in_the_queue(client, settings):
    settings.PROBATION_MODE = "hold"
    summary = SummaryFactory()

    comment = comment_create(summary=summary, writer=UserFactory(), body=THREE_LINKS)
    posted = summary_save(
        paper=PaperFactory(), writer=UserFactory(), body=OUTSIDE_IMAGE, publish=True
    )

    assert comment.is_hidden and posted.is_hidden
    held = Report.objects.order_by("pk")
    assert [(r.comment_id, r.summary_id, r.reporter_id) for r in held] == [
        (comment.pk, None, None),
        (None, posted.pk, None),
    ]
    moderator = UserFactory(is_staff=True)
    sign_in_with_second_factor(client, moderator)
    queue = client.get(reverse("community:moderation-queue")).content.decode()
    assert queue.count("Held by new-account probation") == 2


def test_a_trusted_users_spam_report_hides_the_post_at_once(settings):
    settings.TRUSTED_REPORTER_REPUTATION = 50
    summary = SummaryFactory()
    comment = CommentFactory(summary=summary)

    report_create(
        reporter=UserFactory(reputation=50), reason="ads", comment=comment, spam=True
    )

    comment.refresh_from_db()
    assert comment.is_hidden
    report = Report.objects.get()
    assert report.is_spam and report.resolved_at is None  # still waits for review
    assert ModerationLog.objects.get().action == ModerationLog.Action.HIDE


def test_spam_reports_from_others_only_queue_the_post(settings):
    settings.TRUSTED_REPORTER_REPUTATION = 50
    summary = SummaryFactory()

    report_create(
        reporter=UserFactory(reputation=49), reason="ads", summary=summary, spam=True
    )
    report_create(
        reporter=UserFactory(reputation=500), reason="rude", summary=summary, spam=False
    )

    summary.refresh_from_db()
    assert not summary.is_hidden
    assert Report.objects.count() == 2
