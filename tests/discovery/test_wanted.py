import smtplib

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from discovery import selectors, services, tasks
from discovery.models import PaperIndex, SummaryRequest
from summaries import services as summary_services
from tests.factories import PaperFactory, SummaryFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def ask(paper, n):
    for _ in range(n):
        services.summary_request_set(user=UserFactory(), paper=paper, wanted=True)


def test_one_request_per_reader_and_withdrawing(user, paper):
    assert services.summary_request_set(user=user, paper=paper, wanted=True) == 1
    assert services.summary_request_set(user=user, paper=paper, wanted=True) == 1
    assert PaperIndex.objects.get(paper=paper).request_count == 1
    assert services.summary_request_set(user=user, paper=paper, wanted=False) == 0
    assert PaperIndex.objects.get(paper=paper).request_count == 0


def test_wanted_lists_the_most_requested_unsummarised_papers():
    venue = VenueFactory()
    most, some, done = (PaperFactory(venue=venue) for _ in range(3))
    other_year = PaperFactory(venue=venue, year=2019)
    ask(most, 3)
    ask(some, 1)
    ask(done, 5)
    ask(other_year, 2)
    SummaryFactory(paper=done)
    assert [r.paper for r in selectors.wanted_list().items] == [most, other_year, some]
    assert [r.paper for r in selectors.wanted_list(venue=venue, year=2017).items] == [
        most,
        some,
    ]
    assert selectors.wanted_list(venue=VenueFactory()).items == []


def test_wanted_pages_with_a_cursor():
    papers = [PaperFactory() for _ in range(7)]
    for n, paper in enumerate(papers):
        ask(paper, 1 + n % 3)
    first = selectors.wanted_list(limit=4)
    second = selectors.wanted_list(limit=4, cursor=first.next_cursor)
    seen = [r.paper_id for r in first.items + second.items]
    assert sorted(seen) == sorted(p.pk for p in papers)
    assert second.next_cursor is None


def test_wanted_page_filters_and_counts_queries(client, django_assert_max_num_queries):
    venue = VenueFactory(short_name="ICML")
    for n in range(25):
        ask(PaperFactory(venue=venue, title=f"Wanted paper {n}"), 1 + n % 4)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("discovery:wanted"), {"venue": "icml"})
    html = response.content.decode()
    assert html.count('class="paper-row wanted"') == 20
    assert "4 requests" in html and "More →" in html


@pytest.mark.parametrize(
    "params",
    [{"venue": "nope"}, {"year": "x"}, {"year": "-5"}, {"cursor": "garbage"}],
)
def test_wanted_page_bad_filters_get_a_message(client, params):
    response = client.get(reverse("discovery:wanted"), params)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert 'role="alert"' in html or 'class="notice"' in html


def test_paper_page_shows_the_request_count_and_button(client, user, paper):
    ask(paper, 2)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "<strong>2</strong> readers asked for a summary" in html
    assert "Sign in to request a summary" in html
    client.force_login(user)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert reverse("discovery:summary-request", args=[paper.pk]) in html


def test_requesting_through_the_button(client_logged_in, user, paper):
    url = reverse("discovery:summary-request", args=[paper.pk])
    response = client_logged_in.post(url, {"next": paper.get_absolute_url()})
    assert response["Location"] == paper.get_absolute_url()
    assert SummaryRequest.objects.filter(user=user, paper=paper).exists()
    html = client_logged_in.get(paper.get_absolute_url()).content.decode()
    assert "Withdraw my request" in html
    client_logged_in.post(url, {"action": "withdraw"})
    assert not SummaryRequest.objects.exists()


def test_requesting_needs_sign_in_post_and_csrf(user, paper):
    url = reverse("discovery:summary-request", args=[paper.pk])
    anonymous = Client()
    assert reverse("account_login") in anonymous.post(url)["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(url).status_code == 403
    assert strict.get(url).status_code == 405
    assert not SummaryRequest.objects.exists()


def test_an_unsafe_next_url_is_ignored(client_logged_in, paper):
    url = reverse("discovery:summary-request", args=[paper.pk])
    response = client_logged_in.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == paper.get_absolute_url()


def test_requesters_are_mailed_once_when_the_first_summary_appears(
    django_capture_on_commit_callbacks,
):
    paper = PaperFactory(title="Playing Atari with deep reinforcement learning")
    readers = [UserFactory() for _ in range(3)]
    for reader in readers:
        services.summary_request_set(user=reader, paper=paper, wanted=True)
    with django_capture_on_commit_callbacks(execute=True):
        summary = summary_services.summary_create(
            paper=paper,
            writer=UserFactory(),
            body="Q-learning from pixels, stabilised.",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)
    assert summary.get_absolute_url() in mail.outbox[0].body
    assert "Playing Atari" in mail.outbox[0].subject
    assert tasks.notify_summary_requesters(summary.pk) == 0  # a retry sends nothing
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        summary_services.summary_create(
            paper=paper, writer=UserFactory(), body="A second look at the replay."
        )
    assert len(mail.outbox) == 3


def test_a_mail_failure_is_retried_without_mailing_anyone_twice(monkeypatch):
    paper = PaperFactory()
    first, second = UserFactory(), UserFactory()
    services.summary_request_set(user=first, paper=paper, wanted=True)
    services.summary_request_set(user=second, paper=paper, wanted=True)
    summary = SummaryFactory(paper=paper)
    real_send = services.send_mail
    calls = []

    def flaky_send(**kwargs):
        calls.append(kwargs["recipient_list"][0])
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(**kwargs)

    monkeypatch.setattr(services, "send_mail", flaky_send)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.requesters_notify(summary_id=summary.pk)
    assert [m.to[0] for m in mail.outbox] == [first.email]
    assert services.requesters_notify(summary_id=summary.pk) == 1
    assert [m.to[0] for m in mail.outbox] == [first.email, second.email]
    assert not SummaryRequest.objects.filter(notified_at__isnull=True).exists()


def test_a_private_summary_notifies_nobody(paper, user):
    services.summary_request_set(user=user, paper=paper, wanted=True)
    summary = SummaryFactory(paper=paper, is_private=True)
    assert services.requesters_notify(summary_id=summary.pk) == 0
    assert mail.outbox == []


def test_venue_year_page_keeps_coverage_and_shows_the_most_wanted(client):
    venue = VenueFactory(short_name="ICLR")
    papers = [PaperFactory(venue=venue, year=2017) for _ in range(3)]
    SummaryFactory(paper=papers[0])
    ask(papers[1], 2)
    html = client.get(reverse("papers:venue-year", args=[venue.slug, 2017])).content
    html = html.decode()
    assert "1 of 3 papers summarised" in html
    assert "Most requested here" in html and "2 requests" in html
    assert f"{reverse('discovery:wanted')}?venue={venue.slug}&amp;year=2017" in html


def test_the_most_wanted_box_is_kept_and_forgotten_by_requests_and_first_summaries(
    client_logged_in,
):
    venue = VenueFactory(short_name="KDD")
    papers = [PaperFactory(venue=venue, year=2019) for _ in range(2)]
    path = reverse("papers:venue-year", args=[venue.slug, 2019])
    ask(papers[0], 1)

    def box():
        html = client_logged_in.get(path).content.decode()
        return html.split('id="venue-wanted-h"')[1] if "venue-wanted-h" in html else ""

    assert "1 request<" in box()
    # A count changed around the services shows once the box expires...
    PaperIndex.objects.filter(paper=papers[0]).update(request_count=7)
    assert "1 request<" in box()
    # ...a request or a first summary at once.
    ask(papers[1], 2)
    assert "7 requests" in box() and "2 requests" in box()
    services.on_summary_published(summary=SummaryFactory(paper=papers[0]))
    assert "7 requests" not in box() and "2 requests" in box()
