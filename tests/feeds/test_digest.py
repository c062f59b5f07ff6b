import datetime as dt
import re
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from discovery.services import follow_set
from feeds import services, tasks
from feeds.models import DigestDelivery, DigestSubscription
from tests.factories import (
    DigestSubscriptionFactory,
    KeywordFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2024, 6, 10, 7, 0, tzinfo=dt.UTC)
LAST_WEEK = dt.datetime(2024, 6, 5, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def week_of_summaries(db):
    return [
        SummaryFactory(published_at=LAST_WEEK, score=3),
        SummaryFactory(published_at=LAST_WEEK, score=9),
        SummaryFactory(published_at=LAST_WEEK - dt.timedelta(days=10), score=50),
        SummaryFactory(published_at=LAST_WEEK, score=20, is_private=True),
    ]


@pytest.fixture
def subscriber(db):
    return DigestSubscriptionFactory(user=UserFactory(email="reader@example.org")).user


def _unsubscribe_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/digest/unsubscribe/[^\s]+/)", message.body)[1]


def test_digest_week_is_the_last_full_week():
    monday, start, end = services.digest_week(dt.date(2024, 6, 12))

    assert monday == dt.date(2024, 6, 3)
    assert start == dt.datetime(2024, 6, 3, tzinfo=dt.UTC)
    assert end == dt.datetime(2024, 6, 10, tzinfo=dt.UTC)


@time_machine.travel(MONDAY, tick=False)
def test_digest_is_sent_once_even_when_the_task_runs_twice(
    week_of_summaries, subscriber
):
    first = tasks.send_weekly_digest()
    second = tasks.send_weekly_digest()

    assert (first, second) == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    assert DigestDelivery.objects.get().week == dt.date(2024, 6, 3)
    best, good = week_of_summaries[1], week_of_summaries[0]
    assert message.body.index(best.paper.title) < message.body.index(good.paper.title)
    assert week_of_summaries[2].paper.title not in message.body
    assert week_of_summaries[3].paper.title not in message.body


@time_machine.travel(MONDAY, tick=False)
def test_a_failed_send_is_rolled_back_and_sent_on_retry(
    week_of_summaries, subscriber, monkeypatch
):
    real_send = EmailMultiAlternatives.send
    calls = []

    def flaky_send(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise SMTPServerDisconnected("mail server went away")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)

    with pytest.raises(SMTPServerDisconnected):
        services.digest_send_weekly()
    assert not DigestDelivery.objects.exists()

    assert services.digest_send_weekly() == 1
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.count() == 1


@time_machine.travel(MONDAY, tick=False)
def test_a_user_claimed_by_another_worker_is_not_sent_twice(
    week_of_summaries, subscriber
):
    summaries = services.site_best_of_week(
        start=dt.datetime(2024, 6, 3, tzinfo=dt.UTC),
        end=dt.datetime(2024, 6, 10, tzinfo=dt.UTC),
    )
    assert services.digest_send(
        user=subscriber, week=dt.date(2024, 6, 3), summaries=summaries
    )

    again = services.digest_send(
        user=subscriber, week=dt.date(2024, 6, 3), summaries=summaries
    )

    assert again is False
    assert len(mail.outbox) == 1


@time_machine.travel(MONDAY, tick=False)
def test_followers_get_the_best_from_what_they_follow(week_of_summaries, subscriber):
    followed_venue = VenueFactory(slug="followed-venue")
    from_venue = SummaryFactory(
        paper=PaperFactory(venue=followed_venue), published_at=LAST_WEEK, score=1
    )
    writer = UserFactory()
    from_writer = SummaryFactory(writer=writer, published_at=LAST_WEEK, score=2)
    SummaryFactory(writer=writer, published_at=LAST_WEEK, is_anonymous=True)
    keyword = KeywordFactory(name="followed topic")
    tagged = PaperFactory()
    tagged.keywords.add(keyword)
    from_keyword = SummaryFactory(paper=tagged, published_at=LAST_WEEK, score=0)
    for target in (followed_venue, writer, keyword):
        follow_set(user=subscriber, target=target, follow=True)

    services.digest_send_weekly()

    (message,) = mail.outbox
    titles = [s.paper.title for s in (from_writer, from_venue, from_keyword)]
    positions = [message.body.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "you follow" in message.body
    for other in week_of_summaries:
        assert other.paper.title not in message.body


@time_machine.travel(MONDAY, tick=False)
def test_followers_with_a_quiet_week_get_the_sites_best(week_of_summaries, subscriber):
    follow_set(user=subscriber, target=VenueFactory(slug="quiet"), follow=True)

    services.digest_send_weekly()

    (message,) = mail.outbox
    assert week_of_summaries[1].paper.title in message.body
    assert "you follow" not in message.body


@time_machine.travel(MONDAY, tick=False)
def test_only_subscribers_with_an_address_get_it(week_of_summaries, subscriber):
    DigestSubscriptionFactory(
        user=UserFactory(email="no@example.org"), subscribed=False
    )
    DigestSubscriptionFactory(user=UserFactory(email=""))
    UserFactory(email="never@example.org")

    assert services.digest_send_weekly() == 1
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]


@time_machine.travel(MONDAY, tick=False)
def test_no_digest_in_a_week_without_summaries(subscriber):
    assert services.digest_send_weekly() == 0
    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_the_mail_has_a_one_click_unsubscribe_that_works_signed_out(
    client, week_of_summaries, subscriber
):
    services.digest_send_weekly()
    (message,) = mail.outbox
    path = _unsubscribe_path(message)

    assert message.extra_headers["List-Unsubscribe"].endswith(f"{path}>")
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    assert message.alternatives[0][1] == "text/html"
    confirm = client.get(path)
    # Opening the link (as mail scanners do) only asks; the button unsubscribes.
    assert b"Unsubscribe from the weekly digest?" in confirm.content
    assert b'<form method="post">' in confirm.content
    assert DigestSubscription.objects.get(user=subscriber).subscribed is True

    response = client.post(path)

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert DigestSubscription.objects.get(user=subscriber).subscribed is False


def test_opening_the_unsubscribe_link_changes_nothing(client, subscriber):
    token = services.digest_unsubscribe_token(user=subscriber)

    for _ in range(2):
        response = client.get(f"/digest/unsubscribe/{token}/")
        assert response.status_code == 200

    assert services.digest_is_subscribed(user=subscriber)


def test_rfc8058_one_click_post_unsubscribes(client, subscriber):
    token = services.digest_unsubscribe_token(user=subscriber)

    response = client.post(
        f"/digest/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert not services.digest_is_subscribed(user=subscriber)


def test_a_forged_unsubscribe_token_is_404(client, subscriber):
    token = services.digest_unsubscribe_token(user=subscriber)

    assert client.get(f"/digest/unsubscribe/{token}x/").status_code == 404
    assert services.digest_is_subscribed(user=subscriber)


def test_settings_page_toggles_the_subscription(client_logged_in, user):
    page = client_logged_in.get("/settings/digest/")
    assert page.status_code == 200
    assert b"checked" not in page.content

    client_logged_in.post("/settings/digest/", {"subscribed": "1"})
    assert services.digest_is_subscribed(user=user)
    assert b"checked" in client_logged_in.get("/settings/digest/").content

    client_logged_in.post("/settings/digest/", {})
    assert not services.digest_is_subscribed(user=user)


def test_settings_page_needs_sign_in(client):
    response = client.get("/settings/digest/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
