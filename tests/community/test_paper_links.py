"""Code and project links that writers add to a paper: the form, moderation, who may do
what, and the paper page (its cache included)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import ModerationLog, PaperLink
from tests.conftest import sign_in_with_second_factor
from tests.factories import PaperFactory, UserFactory

pytestmark = pytest.mark.django_db

REPO = "https://github.com/tensorflow/tensor2tensor"


def old_user(**kwargs):
    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


@pytest.fixture
def moderator(db):
    user = old_user()
    user.groups.add(services.moderators_group())
    return user


@pytest.fixture
def paper(db):
    return PaperFactory(
        title="Attention Is All You Need",
        arxiv_comment="15 pages, 5 figures. Code: https://github.com/o/attention",
    )


def add(client, paper, url, kind="code"):
    return client.post(
        reverse("community:paper-links", args=[paper.pk]), {"url": url, "kind": kind}
    )


def page(paper, client=None):
    return (client or Client()).get(paper.get_absolute_url()).content.decode()


def test_the_paper_page_shows_the_arxiv_comment_and_its_code_link(client, paper):
    html = page(paper, client)
    assert "arXiv comment: 15 pages, 5 figures. Code: " in html
    assert (
        '<a href="https://github.com/o/attention" rel="nofollow ugc noopener" '
        'title="From the arXiv comment">github.com/o/attention</a>'
    ) in html
    assert "Code and project links" in html
    assert reverse("community:paper-links", args=[paper.pk]) in html


def test_a_writers_link_waits_for_a_moderator(client, paper, moderator):
    writer = old_user()
    client.force_login(writer)
    response = add(client, paper, "HTTPS://GitHub.com/tensorflow/tensor2tensor.git")
    assert response.status_code == 302
    link = PaperLink.objects.get()
    assert (link.url, link.status, link.added_by) == (REPO, "pending", writer)
    assert (
        "once a moderator approves it"
        in client.get(response["Location"]).content.decode()
    )
    assert REPO not in page(paper)

    sign_in_with_second_factor(client, moderator)
    queue = client.get(reverse("community:moderation-queue")).content.decode()
    assert "Links waiting for review" in queue and REPO in queue
    client.post(reverse("community:paper-link-review", args=[link.pk, "approve"]))

    html = page(paper)
    assert (
        f'<a href="{REPO}" rel="nofollow ugc noopener" title="Added by a writer">'
        in html
    )
    assert ModerationLog.objects.filter(action="approve-link", paper_link=link).exists()
    assert (
        "No links waiting."
        in client.get(reverse("community:moderation-queue")).content.decode()
    )


def test_a_link_turned_down_never_shows_and_cannot_come_back(client, paper, moderator):
    writer = old_user()
    link = services.paper_link_add(paper=paper, user=writer, url=REPO, kind="code")
    services.paper_link_review(actor=moderator, link=link, approve=False)
    assert REPO not in page(paper)

    client.force_login(writer)
    response = add(client, paper, REPO + "/")
    assert response.status_code == 400
    assert (
        "A moderator turned this link down for this paper." in response.content.decode()
    )


def test_a_moderators_own_link_shows_at_once(paper, moderator):
    link = services.paper_link_add(
        paper=paper, user=moderator, url="https://example.org/project", kind="project"
    )
    assert link.status == "approved"
    assert 'href="https://example.org/project"' in page(paper)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the address of the link."),
        (
            "javascript:alert(document.cookie)",
            "Only web addresses (http:// or https://)",
        ),
        (
            "data:text/html;base64,PHNjcmlwdD4=",
            "Only web addresses (http:// or https://)",
        ),
        (
            "https://github.com/o/attention/",
            "already shows this link (from its arXiv comment",
        ),
        ("https://" + "a" * 500 + ".org", "at most 500 characters"),
    ],
)
def test_the_form_says_what_is_wrong(client, paper, url, message):
    client.force_login(old_user())
    response = add(client, paper, url)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'href="javascript' not in html and 'href="data:' not in html
    assert not PaperLink.objects.exists()


def test_the_same_link_suggested_twice_waits_once(client, paper):
    services.paper_link_add(paper=paper, user=old_user(), url=REPO, kind="code")
    client.force_login(old_user())
    response = add(client, paper, "http://www.github.com/TensorFlow/tensor2tensor")
    assert "already suggested and waits for a moderator" in response.content.decode()
    assert PaperLink.objects.count() == 1


def test_banned_and_signed_out_users_cannot_add(client, paper):
    assert add(client, paper, REPO).status_code == 302  # to the sign-in page
    client.force_login(old_user(is_banned=True))
    response = add(client, paper, REPO)
    assert response.status_code == 403
    assert "Your account is banned" in response.content.decode()
    assert not PaperLink.objects.exists()


def test_writers_withdraw_only_their_own_pending_links(client, paper, moderator):
    writer, other = old_user(), old_user()
    mine = services.paper_link_add(paper=paper, user=writer, url=REPO, kind="code")
    withdraw = reverse("community:paper-link-withdraw", args=[mine.pk])

    client.force_login(other)
    assert client.post(withdraw).status_code == 404
    client.force_login(writer)
    mine_page = client.get(reverse("community:paper-links", args=[paper.pk]))
    assert "Waiting for a moderator" in mine_page.content.decode()
    assert client.post(withdraw).status_code == 302
    assert not PaperLink.objects.exists()

    shown = services.paper_link_add(
        paper=paper, user=writer, url="https://example.org/p", kind="project"
    )
    services.paper_link_review(actor=moderator, link=shown, approve=True)
    client.post(reverse("community:paper-link-withdraw", args=[shown.pk]))
    assert PaperLink.objects.filter(pk=shown.pk).exists()  # approved: a moderator's now


def test_only_moderators_review_links(client, paper):
    link = services.paper_link_add(paper=paper, user=old_user(), url=REPO, kind="code")
    client.force_login(old_user())
    review = reverse("community:paper-link-review", args=[link.pk, "approve"])
    assert client.post(review).status_code == 403
    assert PaperLink.objects.get().status == "pending"


def test_approving_a_link_refreshes_the_cached_paper_page(paper, moderator):
    anonymous = Client()
    anonymous.get(paper.get_absolute_url())
    assert anonymous.get(paper.get_absolute_url())["X-Cache"] == "hit"
    other = PaperFactory()
    anonymous.get(other.get_absolute_url())

    link = services.paper_link_add(paper=paper, user=old_user(), url=REPO, kind="code")
    assert anonymous.get(paper.get_absolute_url())["X-Cache"] == "hit"  # pending

    services.paper_link_review(actor=moderator, link=link, approve=True)
    response = anonymous.get(paper.get_absolute_url())
    assert response["X-Cache"] == "miss" and REPO in response.content.decode()
    assert anonymous.get(other.get_absolute_url())["X-Cache"] == "hit"

    services.paper_link_review(actor=moderator, link=link, approve=False)
    assert REPO not in anonymous.get(paper.get_absolute_url()).content.decode()


def test_links_in_the_markdown_twin_and_the_api(client, paper, moderator):
    link = services.paper_link_add(paper=paper, user=old_user(), url=REPO, kind="code")
    services.paper_link_review(actor=moderator, link=link, approve=True)

    twin = client.get(reverse("paper-markdown", args=[paper.pk])).content.decode()
    assert (
        "- arXiv comment: 15 pages, 5 figures. Code: https://github.com/o/attention"
        in twin
    )
    assert "## Code and project links" in twin
    assert f"- Code: {REPO}" in twin

    data = client.get(f"/api/v1/papers/{paper.pk}").json()
    assert data["arxiv_comment"].startswith("15 pages, 5 figures")
    assert data["links"] == [
        {"kind": "code", "url": "https://github.com/o/attention", "origin": "comment"},
        {"kind": "code", "url": REPO, "origin": "writer"},
    ]
