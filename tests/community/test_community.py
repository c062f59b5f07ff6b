from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_create
from community import services
from community.models import ModerationLog, Notification, Report
from community.tasks import notify_comment
from summaries.models import Summary
from summaries.services import vote_set
from tests.conftest import sign_in_with_second_factor
from tests.factories import CommentFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


def old_user(**kwargs):
    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


# Votes ------------------------------------------------------------------------------


def vote(client, summary, value, **extra):
    return client.post(
        reverse("summaries:summary-vote", args=[summary.pk]), {"value": value}, **extra
    )


def test_vote_up_change_and_remove(client):
    summary = SummaryFactory()
    voter = old_user()
    client.force_login(voter)
    vote(client, summary, 1)
    vote(client, summary, 1)  # idempotent
    assert Summary.objects.get(pk=summary.pk).score == 1
    vote(client, summary, -1)
    assert Summary.objects.get(pk=summary.pk).score == -1
    vote(client, summary, 0)
    assert Summary.objects.get(pk=summary.pk).score == 0


def test_htmx_vote_returns_the_widget_with_the_new_score(client):
    summary = SummaryFactory()
    client.force_login(old_user())
    response = vote(client, summary, 1, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith(
        f'<form method="post" action="/summaries/{summary.pk}/vote/"'
    )
    assert '<span class="score-value">1</span>' in html
    assert 'class="vote-up voted"' in html


def test_no_vote_on_own_summary(client):
    summary = SummaryFactory()
    client.force_login(summary.writer)
    assert vote(client, summary, 1).status_code == 403


@pytest.mark.parametrize("value", ["2", "up", ""])
def test_bad_vote_values_are_refused(client, value):
    client.force_login(old_user())
    assert vote(client, SummaryFactory(), value).status_code == 400


def test_reputation_counts_only_public_non_anonymous_summaries():
    writer = old_user()
    named = SummaryFactory(writer=writer)
    anonymous = SummaryFactory(writer=writer, is_anonymous=True)
    for _ in range(2):
        vote_set(user=old_user(), summary=named, value=1)
        vote_set(user=old_user(), summary=anonymous, value=1)
    writer.refresh_from_db()
    assert writer.reputation == 2


# Notifications ----------------------------------------------------------------------


def test_comment_notifies_the_summary_writer_once_by_mail():
    summary = SummaryFactory(writer=old_user(email="writer@example.org"))
    comment = CommentFactory(
        summary=summary,
        writer=old_user(display_name="Ada"),
        body="What about $\\alpha$?",
    )
    assert notify_comment(comment.pk) == 1
    assert notify_comment(comment.pk) == 0  # a retried task sends nothing more
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["writer@example.org"]
    assert "Ada commented on your summary" in message.body
    html = message.alternatives[0][0]
    assert "<math" in html  # the math reads without scripts
    assert Notification.objects.get().kind == Notification.Kind.COMMENT


def test_notification_mail_shows_each_formula_once_with_absolute_addresses(settings):
    settings.SITE_URL = "https://shortscience.example"
    summary = SummaryFactory(writer=old_user(email="writer@example.org"))
    comment = CommentFactory(
        summary=summary,
        writer=old_user(),
        body="What about $\\alpha$? See ![fig](/media/images/2024/01/fig.png).",
    )

    assert notify_comment(comment.pk) == 1

    html = mail.outbox[0].alternatives[0][0]
    assert html.count("<math") == 1
    assert "katex-html" not in html
    assert 'src="https://shortscience.example/media/images/2024/01/fig.png"' in html


def test_no_mail_about_a_comment_on_a_summary_the_recipient_may_no_longer_read():
    summary = SummaryFactory(writer=old_user(), body="Secret-summary-text")
    parent = CommentFactory(summary=summary, writer=old_user(email="p@example.org"))
    reply = CommentFactory(
        summary=summary, parent=parent, writer=old_user(), body="Secret-reply-text"
    )
    Summary.objects.filter(pk=summary.pk).update(is_private=True)

    notify_comment(reply.pk)

    # The summary's writer may still read it; the parent comment's writer may not.
    assert [m.to for m in mail.outbox] == [[summary.writer.email]]


def test_reply_notifies_the_parent_writer_and_the_summary_writer():
    summary = SummaryFactory(writer=old_user(email="w@example.org"))
    parent = CommentFactory(summary=summary, writer=old_user(email="p@example.org"))
    reply = CommentFactory(summary=summary, parent=parent, depth=1, writer=old_user())
    notify_comment(reply.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["p@example.org", "w@example.org"]
    assert (
        "replied to your comment"
        in [m for m in mail.outbox if m.to == ["p@example.org"]][0].subject
    )


def test_a_reply_past_the_last_level_notifies_the_writer_it_answers():
    summary = SummaryFactory()
    top, second, third = old_user(), old_user(), old_user()
    level0 = comment_create(summary=summary, writer=top, body="level 0")
    level1 = comment_create(summary=summary, writer=second, body="1", parent=level0)
    level2 = comment_create(summary=summary, writer=third, body="2", parent=level1)

    # The second writer answers the third-level comment: it joins the last level.
    answer = comment_create(summary=summary, writer=second, body="3", parent=level2)
    notices = services.notifications_for_comment(comment=answer)

    assert (answer.parent_id, answer.depth) == (level1.pk, 2)
    assert [(n.recipient, n.kind) for n in notices if n.kind == "reply"] == [
        (third, Notification.Kind.REPLY)
    ]


def test_notifications_can_be_switched_off():
    writer = old_user(email="w@example.org", notify_on_comment=False)
    comment = CommentFactory(summary=SummaryFactory(writer=writer))
    notify_comment(comment.pk)
    assert mail.outbox == []
    assert (
        Notification.objects.filter(recipient=writer).count() == 1
    )  # still listed on the site


def test_own_comment_notifies_nobody():
    summary = SummaryFactory()
    notify_comment(CommentFactory(summary=summary, writer=summary.writer).pk)
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_posting_queues_the_notification_after_commit(
    django_capture_on_commit_callbacks,
):
    summary = SummaryFactory(writer=old_user(email="w@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(summary=summary, writer=old_user(), body="hello")
    assert len(mail.outbox) == 1


def test_catch_up_notifies_comments_whose_task_was_lost_and_mails_once():
    summary = SummaryFactory(writer=old_user(email="w@example.org"))
    lost = CommentFactory(summary=summary, writer=old_user())
    handled = CommentFactory(summary=summary, writer=old_user())
    notify_comment(handled.pk)
    Comment.objects.filter(pk__in=[lost.pk, handled.pk]).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    fresh = CommentFactory(summary=summary, writer=old_user())  # its task may still run

    assert services.notifications_catch_up() == 1
    assert services.notifications_catch_up() == 0
    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("comment_id", flat=True)) == {
        lost.pk,
        handled.pk,
    }
    assert notify_comment(fresh.pk) == 1


def test_in_site_list_and_unread_count(client):
    writer = old_user()
    comment = CommentFactory(summary=SummaryFactory(writer=writer))
    services.notifications_for_comment(comment=comment)
    client.force_login(writer)
    home = client.get("/").content.decode()
    assert 'aria-label="1 unread"' in home
    page = client.get(reverse("community:notification-list")).content.decode()
    assert "commented on your summary" in page
    # Opening the page marks nothing read: the "Mark all read" button does.
    assert 'aria-label="1 unread"' in client.get("/").content.decode()
    assert "Mark all read" in page
    assert Notification.objects.get().read_at is None

    client.post(reverse("community:notification-mark-read"))

    assert Notification.objects.get().read_at is not None
    assert 'aria-label="1 unread"' not in client.get("/").content.decode()
    page = client.get(reverse("community:notification-list")).content.decode()
    assert "Mark all read" not in page and "commented on your summary" in page


def test_mark_one_notification_read_leaves_the_others_unread(client):
    writer = old_user()
    first, second = (
        CommentFactory(summary=SummaryFactory(writer=writer)) for _ in "ab"
    )
    for comment in (first, second):
        services.notifications_for_comment(comment=comment)
    one = Notification.objects.get(comment=first)
    client.force_login(writer)

    client.post(reverse("community:notification-mark-read"), {"id": one.pk})

    assert set(
        Notification.objects.filter(read_at__isnull=True).values_list(
            "comment_id", flat=True
        )
    ) == {second.pk}
    assert 'aria-label="1 unread"' in client.get("/").content.decode()


def test_marking_read_needs_a_post_and_touches_only_ones_own(client):
    writer, other = old_user(), old_user()
    comment = CommentFactory(summary=SummaryFactory(writer=writer))
    services.notifications_for_comment(comment=comment)
    client.force_login(other)

    assert client.get(reverse("community:notification-mark-read")).status_code == 405
    client.post(
        reverse("community:notification-mark-read"),
        {"id": Notification.objects.get().pk},
    )

    assert Notification.objects.get().read_at is None


# Moderation -------------------------------------------------------------------------


@pytest.fixture
def moderator(db):
    user = old_user()
    user.groups.add(services.moderators_group())
    return user


def test_report_a_summary_and_a_comment(client):
    summary = SummaryFactory()
    comment = CommentFactory(summary=summary)
    client.force_login(old_user())
    client.post(
        reverse("community:report-summary", args=[summary.pk]),
        {"reason": "copied text"},
    )
    client.post(
        reverse("community:report-comment", args=[comment.pk]), {"reason": "spam"}
    )
    assert Report.objects.count() == 2
    empty = client.post(
        reverse("community:report-summary", args=[summary.pk]), {"reason": " "}
    )
    assert empty.status_code == 400 and "Say briefly" in empty.content.decode()


def test_queue_is_for_moderators_only(client, moderator):
    client.force_login(old_user())
    assert client.get(reverse("community:moderation-queue")).status_code == 403
    sign_in_with_second_factor(client, moderator)
    assert client.get(reverse("community:moderation-queue")).status_code == 200


def test_hidden_summary_leaves_public_pages_but_is_kept(client, moderator):
    summary = SummaryFactory(body="offending words")
    Report.objects.create(reporter=old_user(), summary=summary, reason="abuse")
    sign_in_with_second_factor(client, moderator)
    client.post(reverse("community:moderate", args=["summary", summary.pk, "hide"]))
    reader = Client()
    assert (
        "offending words"
        not in reader.get(summary.paper.get_absolute_url()).content.decode()
    )
    assert reader.get(summary.get_absolute_url()).status_code == 404
    assert summary.paper.title not in reader.get("/").content.decode()
    assert Summary.objects.filter(pk=summary.pk, is_hidden=True).exists()
    assert Report.objects.get().resolved_by == moderator
    log = ModerationLog.objects.get()
    assert (log.actor, log.action, log.summary) == (
        moderator,
        "hide",
        Summary.objects.get(pk=summary.pk),
    )

    client.post(reverse("community:moderate", args=["summary", summary.pk, "restore"]))
    assert (
        "offending words"
        in reader.get(summary.paper.get_absolute_url()).content.decode()
    )


def test_hidden_comment_is_replaced_in_the_thread(client, moderator):
    comment = CommentFactory(body="rude remark")
    sign_in_with_second_factor(client, moderator)
    client.post(reverse("community:moderate", args=["comment", comment.pk, "hide"]))
    html = Client().get(comment.summary.get_absolute_url()).content.decode()
    assert "rude remark" not in html and "[removed by a moderator]" in html
    assert Comment.objects.get(pk=comment.pk).body == "rude remark"


def test_ban_stops_posting_and_is_logged(client, moderator):
    target = old_user()
    sign_in_with_second_factor(client, moderator)
    client.post(reverse("community:moderate-user", args=[target.pk, "ban"]))
    target.refresh_from_db()
    assert target.is_banned
    assert ModerationLog.objects.filter(action="ban", user=target).exists()
    client.force_login(target)
    response = client.post(
        reverse("comments:comment-post", args=[SummaryFactory().pk]), {"body": "x"}
    )
    assert response.status_code == 403


def test_non_moderators_cannot_moderate(client):
    summary = SummaryFactory()
    client.force_login(old_user())
    assert (
        client.post(
            reverse("community:moderate", args=["summary", summary.pk, "hide"])
        ).status_code
        == 403
    )
    assert not Summary.objects.get(pk=summary.pk).is_hidden


def test_the_unread_count_is_kept_until_a_notification_write_forgets_it(client):
    writer = old_user()
    client.force_login(writer)
    comments = [CommentFactory(summary=SummaryFactory(writer=writer)) for _ in "abc"]
    services.notifications_for_comment(comment=comments[0])
    assert 'aria-label="1 unread"' in client.get("/").content.decode()
    # A row written around the services is counted once the kept count expires...
    Notification.objects.create(
        recipient=writer, comment=comments[1], kind=Notification.Kind.COMMENT
    )
    assert 'aria-label="1 unread"' in client.get("/").content.decode()

    # ...or as soon as a service creates or reads notifications of this reader.
    services.notifications_for_comment(comment=comments[2])
    assert 'aria-label="3 unread"' in client.get("/").content.decode()
    services.notifications_mark_read(user=writer)
    assert "unread" not in client.get("/").content.decode().split("<main")[0]
