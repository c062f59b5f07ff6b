"""The freshness contract, write by write: each write invalidates the pages that show
what it changed, at once, and every unrelated cached page keeps being served from the
cache. Requests that change nothing public invalidate nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from authors import services as author_services
from authors.models import AuthorClaim
from comments import services as comment_services
from community import services as community_services
from lists import services as list_services
from papers import services as paper_services
from papers.services import PaperData
from summaries import services as summary_services
from tests.factories import (
    AuthorClaimFactory,
    KeywordFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
    VenueFactory,
)
from users.services import user_profile_update

pytestmark = pytest.mark.django_db

SEASONED = {"date_joined": timezone.now() - timedelta(days=30)}


def anonymous_get(path):
    return Client().get(path)


@pytest.fixture
def site():
    """Two corners of the site that share nothing: papers, venues, years, writers."""
    ours = SummaryFactory(
        body="our words",
        body_html="<p>our words</p>",
        paper=PaperFactory(
            title="Our paper", year=2019, venue=VenueFactory(short_name="OURS")
        ),
        writer=UserFactory(display_name="Our Writer", **SEASONED),
    )
    ours.paper.keywords.add(KeywordFactory(name="ours", slug="ours"))
    theirs = SummaryFactory(
        body="their words",
        body_html="<p>their words</p>",
        paper=PaperFactory(
            title="Their paper", year=2015, venue=VenueFactory(short_name="THEIRS")
        ),
        writer=UserFactory(display_name="Their Writer", **SEASONED),
    )
    theirs.paper.keywords.add(KeywordFactory(name="theirs", slug="theirs"))
    return ours, theirs


def corner(summary):
    """The pages that show a summary, its paper, its writer, venue, year and keyword."""
    paper = summary.paper
    return {
        "paper": paper.get_absolute_url(),
        "summary": summary.get_absolute_url(),
        "writer": summary.writer.get_absolute_url(),
        "venue": paper.venue.get_absolute_url(),
        "venue-year": reverse("papers:venue-year", args=[paper.venue.slug, paper.year]),
        "year": reverse("papers:year-detail", args=[paper.year]),
        "keyword": paper.keywords.get().get_absolute_url(),
    }


def warm(*paths):
    for path in paths:
        anonymous_get(path)
        assert anonymous_get(path)["X-Cache"] == "hit", path


def still_cached(*paths):
    for path in paths:
        assert anonymous_get(path)["X-Cache"] == "hit", path


def shows(path, text):
    response = anonymous_get(path)
    return text in response.content.decode()


@pytest.fixture
def warmed(site):
    ours, theirs = site
    warm("/", "/venues/", "/years/", *corner(ours).values(), *corner(theirs).values())
    return ours, theirs


def test_publish_shows_on_the_paper_and_writer_at_once_and_home_within_a_minute(
    warmed,
):
    ours, theirs = warmed
    writer = UserFactory(display_name="New Voice", **SEASONED)

    summary_services.summary_save(
        paper=ours.paper, writer=writer, body="fresh take", publish=True
    )

    assert shows(corner(ours)["paper"], "New Voice")
    assert shows(writer.get_absolute_url(), "New Voice")
    # The home page takes new summaries in when its copy expires (HOME_LAG_SECONDS).
    still_cached("/", *corner(theirs).values())
    assert shows("/?tab=recent", "New Voice")  # a tab nobody had asked for yet


def test_a_publish_shows_on_its_venue_year_at_once_and_on_the_other_years_within_a_minute(
    site, monkeypatch
):
    from shortscience import cache as page_cache

    ours, theirs = site
    venue = ours.paper.venue
    late = PaperFactory(title="Late paper", year=2019, venue=venue)
    PaperFactory(title="Older paper", year=2017, venue=venue)
    page = corner(ours)["venue-year"]
    older_page = reverse("papers:venue-year", args=[venue.slug, 2017])
    warm(page, older_page, *corner(theirs).values())
    assert "1 of 2 papers summarised" in anonymous_get(page).content.decode()

    summary_services.summary_save(
        paper=late, writer=UserFactory(**SEASONED), body="second", publish=True
    )

    # Its own venue-year shows the paper's summary and the new counts at once...
    html = anonymous_get(page).content.decode()
    assert "wanted: no summary yet" not in html
    assert "2 of 2 papers summarised" in html
    # ...the other years of the venue keep their copy, whose year tabs still count the
    # 2019 papers as before, until it expires (COUNTS_LAG_SECONDS).
    stale = anonymous_get(older_page)
    assert stale["X-Cache"] == "hit" and 'title="1 of 2 papers summarised"' in (
        stale.content.decode()
    )
    still_cached(*corner(theirs).values())
    monkeypatch.setattr(page_cache.time, "time", lambda: 10**10)
    page_cache.LOCAL_PAGES.entries.clear()
    assert (
        'title="2 of 2 papers summarised"' in anonymous_get(older_page).content.decode()
    )


def test_a_draft_or_a_private_summary_touches_no_page(warmed):
    ours, theirs = warmed
    writer = UserFactory(**SEASONED)

    summary_services.summary_save(paper=ours.paper, writer=writer, body="just a draft")
    summary_services.summary_autosave(
        paper=ours.paper, writer=writer, body="still a draft"
    )
    summary_services.summary_save(
        paper=theirs.paper,
        writer=writer,
        body="for my eyes",
        is_private=True,
        publish=True,
    )

    still_cached("/", *corner(ours).values(), *corner(theirs).values())


def test_an_edit_shows_once_rendered_and_leaves_the_rest_cached(warmed):
    ours, theirs = warmed

    summary_services.summary_save(
        paper=ours.paper, writer=ours.writer, body="our *second* words"
    )
    summary_services.summary_render(summary_id=ours.pk)

    for page in ("paper", "summary"):
        assert shows(corner(ours)[page], "<em>second</em>"), page
    still_cached(*corner(theirs).values())


LISTS = ("venue-year", "year", "keyword")


def test_an_edit_changes_the_excerpt_in_the_paper_lists_at_once(warmed):
    ours, theirs = warmed
    for page in LISTS:
        assert shows(corner(ours)[page], "our words"), page

    summary_services.summary_save(
        paper=ours.paper, writer=ours.writer, body="our *revised* words"
    )
    summary_services.summary_render(summary_id=ours.pk)

    for page in LISTS:
        assert shows(corner(ours)[page], "<em>revised</em>"), page
        assert not shows(corner(ours)[page], "<p>our words"), page
    still_cached(*corner(theirs).values())


def test_hiding_the_best_summary_takes_its_excerpt_off_the_paper_lists(warmed):
    ours, theirs = warmed

    summary_services.summary_set_hidden(summary=ours, hidden=True)

    for page in LISTS:
        assert not shows(corner(ours)[page], "our words"), page
        assert shows(corner(ours)[page], "wanted: no summary yet"), page
    still_cached(*corner(theirs).values())


def test_delete_and_hide_take_the_summary_off_every_page(warmed):
    ours, theirs = warmed

    summary_services.summary_delete(summary=ours)
    assert not shows(corner(ours)["paper"], "Our Writer")
    assert not shows(corner(ours)["summary"], "our words")
    assert not shows(corner(ours)["writer"], "Our paper")
    still_cached(*corner(theirs).values())

    summary_services.summary_set_hidden(summary=theirs, hidden=True)
    assert not shows(corner(theirs)["paper"], "Their Writer")


def test_a_comment_shows_on_its_summary_only(warmed):
    ours, theirs = warmed
    reader = UserFactory(**SEASONED)

    comment = comment_services.comment_create(
        summary=ours, writer=reader, body="a *sharp* question"
    )
    comment_services.comment_render(comment_id=comment.pk)

    assert shows(corner(ours)["summary"], "<em>sharp</em>")
    assert shows(corner(ours)["paper"], "<em>sharp</em>")
    still_cached(*corner(theirs).values(), corner(ours)["venue"], "/years/")

    comment_services.comment_set_hidden(comment=comment, hidden=True)
    assert not shows(corner(ours)["summary"], "<em>sharp</em>")


def test_a_vote_shows_its_score_on_the_summary_at_once_on_the_paper_within_a_minute(
    warmed, monkeypatch
):
    from shortscience import cache as page_cache

    ours, theirs = warmed

    summary_services.vote_set(user=UserFactory(**SEASONED), summary=ours, value=1)

    assert shows(corner(ours)["summary"], '<span class="score-value">1</span>')
    still_cached(corner(ours)["paper"], *corner(theirs).values())
    later = page_cache.time.time() + 61  # PAPER_SCORE_LAG_SECONDS
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    assert shows(corner(ours)["paper"], '<span class="score-value">1</span>')


def test_a_vote_leaves_the_home_page_and_the_lists_cached(warmed):
    ours, theirs = warmed

    summary_services.vote_set(user=UserFactory(**SEASONED), summary=ours, value=1)

    # Scores reach the home page within its timeout; lists show no score.
    still_cached("/", corner(ours)["venue-year"], corner(ours)["year"])
    assert shows(corner(ours)["writer"], "1 point")  # the profile shows it at once


def test_a_comment_leaves_the_home_page_and_the_writer_profile_cached(warmed):
    ours, theirs = warmed

    comment_services.comment_create(
        summary=ours, writer=UserFactory(**SEASONED), body="a question"
    )

    still_cached("/", corner(ours)["writer"], corner(ours)["venue-year"])
    assert shows(corner(ours)["paper"], "1 comment")


def test_hiding_a_summary_takes_it_off_the_home_page_at_once(warmed):
    ours, theirs = warmed
    assert shows("/", "our words")

    summary_services.summary_set_hidden(summary=ours, hidden=True)

    assert not shows("/", "our words")


def test_an_import_shows_on_its_venue_year_and_keyword_pages(
    warmed, django_capture_on_commit_callbacks
):
    ours, theirs = warmed
    venue = ours.paper.venue
    venue.aliases.create(alias=venue.name)

    with django_capture_on_commit_callbacks(execute=True):
        paper_services.paper_upsert(
            PaperData(
                title="A freshly imported paper",
                source="bibsonomy",
                authors=(("New Author", ""),),
                year=ours.paper.year,
                venue=venue.name,
                keywords=("ours",),
            )
        )

    for page in ("venue-year", "year", "keyword"):
        assert shows(corner(ours)[page], "A freshly imported paper"), page
    still_cached(*corner(theirs).values(), corner(ours)["summary"])


def test_renaming_a_venue_shows_on_its_pages_only(warmed):
    ours, theirs = warmed
    venue = ours.paper.venue
    venue.name = "The Renamed Conference"

    paper_services.venue_save(venue=venue)

    assert shows(corner(ours)["venue"], "The Renamed Conference")
    assert shows("/venues/", "The Renamed Conference")
    still_cached(*corner(theirs).values())


def test_a_venue_short_name_shows_in_every_list_row_and_card_at_once(warmed):
    ours, theirs = warmed
    venue = ours.paper.venue
    venue.short_name = "RENAMEDCONF"

    paper_services.venue_save(venue=venue)

    assert shows(corner(ours)["year"], "RENAMEDCONF")  # a paper row names the venue
    assert shows(corner(ours)["writer"], "RENAMEDCONF")  # a summary card names it
    still_cached(*corner(theirs).values())


def test_a_profile_change_shows_on_the_writers_pages(warmed):
    ours, theirs = warmed

    user_profile_update(user=ours.writer, data={"display_name": "Renamed Writer"})

    assert shows(corner(ours)["writer"], "Renamed Writer")
    assert shows(corner(ours)["paper"], "Renamed Writer")
    still_cached(*corner(theirs).values())


def test_a_public_reading_list_shows_on_its_owners_profile_at_once(warmed):
    ours, theirs = warmed

    reading_list = list_services.list_create(
        owner=ours.writer, title="Zebra reading group", visibility="public"
    )
    assert shows(corner(ours)["writer"], "Zebra reading group")
    list_services.list_add_paper(
        reading_list=reading_list, paper=theirs.paper, user=ours.writer
    )
    list_services.list_delete(reading_list=reading_list, user=ours.writer)

    assert not shows(corner(ours)["writer"], "Zebra reading group")
    still_cached(corner(theirs)["writer"], corner(theirs)["paper"])


@pytest.fixture
def claimed(warmed):
    """Our paper with an approved author (Ada Lovelace), through the moderation queue."""
    ours, theirs = warmed
    author = UserFactory(display_name="Ada Lovelace", **SEASONED)
    moderator = UserFactory(**SEASONED)
    moderator.groups.add(community_services.moderators_group())
    claim = AuthorClaimFactory(
        paper=ours.paper, user=author, status=AuthorClaim.Status.PENDING
    )
    warm(author.get_absolute_url(), reverse("paper-markdown", args=[ours.paper.pk]))
    author_services.claim_decide(claim=claim, actor=moderator, approve=True)
    return ours, theirs, author


def test_a_claim_approval_shows_on_the_paper_and_the_authors_profile(claimed):
    ours, theirs, author = claimed

    assert shows(corner(ours)["paper"], "Authors on this site")
    assert shows(reverse("paper-markdown", args=[ours.paper.pk]), "Claimed by")
    assert shows(author.get_absolute_url(), "Our paper")
    still_cached(*corner(theirs).values(), corner(ours)["venue"])


def test_an_endorsement_shows_on_its_summary_at_once(claimed):
    ours, theirs, author = claimed
    twin = reverse("summary-markdown", args=[ours.pk])
    warm(corner(ours)["summary"], corner(ours)["paper"], corner(ours)["writer"], twin)

    summary_services.endorsement_set(user=author, summary=ours, endorse=True)

    assert shows(twin, "Endorsed by Ada Lovelace")

    for page in ("summary", "paper", "writer"):
        assert shows(
            corner(ours)[page], "endorsed" if page == "writer" else "The authors agree"
        ), page
    still_cached(*corner(theirs).values(), corner(ours)["venue"])


def test_an_author_response_shows_once_rendered(claimed):
    ours, theirs, author = claimed
    warm(corner(ours)["summary"], corner(ours)["paper"])

    response = summary_services.author_response_save(
        user=author, summary=ours, body="we *agree*"
    )
    summary_services.author_response_render(response_id=response.pk)

    for page in ("summary", "paper"):
        assert shows(corner(ours)[page], "<em>agree</em>"), page
    still_cached(*corner(theirs).values(), corner(ours)["writer"])


def test_moderation_hides_at_once(warmed):
    ours, theirs = warmed
    moderator = UserFactory(is_staff=True, is_superuser=True, **SEASONED)

    community_services.moderate_content(
        actor=moderator, summary=ours, hide=True, note="spam"
    )

    assert not shows(corner(ours)["paper"], "Our Writer")
    still_cached(*corner(theirs).values())


# Requests that change nothing public ------------------------------------------------


def test_previews_autosaves_follows_and_sign_ins_invalidate_nothing(warmed):
    ours, theirs = warmed
    everything = ["/", *corner(ours).values(), *corner(theirs).values()]
    client = Client()
    client.force_login(ours.writer)

    client.post(reverse("summaries:summary-preview"), {"body": "typing *fast*"})
    client.post(
        reverse("summaries:summary-autosave", args=[theirs.paper.pk]),
        {"body": "half a thought"},
    )
    client.post(
        reverse("discovery:follow"), {"kind": "venue", "target": theirs.paper.venue.pk}
    )
    client.post(reverse("community:notification-mark-read"))
    Client().post(reverse("account_login"), {"login": "nobody", "password": "wrong"})

    still_cached(*everything)


def test_a_thousand_csp_reports_invalidate_nothing(warmed):
    ours, theirs = warmed
    reporter = Client()
    for n in range(1000):
        reporter.post(
            "/csp-report/",
            data=f'{{"csp-report": {{"blocked-uri": "https://x{n}.example"}}}}',
            content_type="application/csp-report",
        )

    still_cached("/", *corner(ours).values(), *corner(theirs).values())
