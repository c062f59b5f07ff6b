import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from authors import services
from authors.models import AuthorClaim
from community.models import Notification
from papers.sources.http import TransientSourceError
from tests.factories import OrcidAccountFactory, PaperFactory
from users.policy import WriteRefused

from .conftest import ORCID, seasoned

pytestmark = pytest.mark.django_db


def claim(user, paper, capture, note=""):
    with capture(execute=True):
        made = services.claim_create(user=user, paper=paper, note=note)
    made.refresh_from_db()
    return made


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Stephen J. Eglen", "Stephen Eglen"),
        ("Eglen, Stephen", "S. Eglen"),
        ("Daniel Nüst", "daniel nust"),
        ("Jean-Pierre Serre", "J.-P. Serre"),
    ],
)
def test_names_match_after_normalisation(a, b):
    assert services.name_key(a) == services.name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ada Lovelace", "Bea Lovelace"),
        ("Ada Lovelace", "Ada Byron"),
        ("Eglen", "S Eglen"),
    ],
)
def test_different_people_do_not_match(a, b):
    assert services.name_key(a) != services.name_key(b)


def test_a_listed_author_whose_orcid_lists_the_paper_is_approved_at_once(
    researcher,
    their_paper,
    orcid_replay,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    made = claim(researcher, their_paper, django_capture_on_commit_callbacks)

    assert made.status == AuthorClaim.Status.APPROVED
    assert made.method == AuthorClaim.Method.ORCID
    assert made.author.name == "Stephen J. Eglen"
    assert made.orcid_result == "The ORCID record lists this paper."
    assert orcid_replay.requests == [f"/v3.0/{ORCID}/works"]
    notice = Notification.objects.get(recipient=researcher)
    assert notice.kind == Notification.Kind.CLAIM_APPROVED
    assert "is approved" in mailoutbox[0].subject


def test_a_record_without_the_paper_leaves_the_claim_to_moderators(
    researcher, orcid_replay, django_capture_on_commit_callbacks
):
    paper = PaperFactory(doi="10.1000/elsewhere", authors=["Stephen Eglen"])

    made = claim(researcher, paper, django_capture_on_commit_callbacks)

    assert made.status == AuthorClaim.Status.PENDING
    assert "(74 works) does not list this paper" in made.orcid_result


def test_a_claimant_missing_from_the_author_list_waits_for_a_moderator(
    researcher, orcid_replay, django_capture_on_commit_callbacks
):
    paper = PaperFactory(doi="10.7557/19.5311", authors=["Somebody Else"])

    made = claim(researcher, paper, django_capture_on_commit_callbacks, note="née X")

    assert made.status == AuthorClaim.Status.PENDING
    assert made.author is None
    assert made.note == "née X"
    assert orcid_replay.requests == []  # ORCID alone never approves a non-listed name


def test_an_orcid_outage_keeps_the_claim_pending_for_a_retry(
    researcher, their_paper, orcid_replay
):
    orcid_replay.down = True
    made = services.claim_create(user=researcher, paper=their_paper)

    with pytest.raises(TransientSourceError):
        services.claim_check_orcid(claim_id=made.pk)
    made.refresh_from_db()
    assert made.status == AuthorClaim.Status.PENDING


def test_an_orcid_typed_into_the_profile_is_not_enough(their_paper):
    user = seasoned(display_name="Stephen Eglen", orcid=ORCID)

    with pytest.raises(ValidationError, match="verified ORCID iD"):
        services.claim_create(user=user, paper=their_paper)
    assert not AuthorClaim.objects.exists()


def test_a_banned_user_cannot_claim(researcher, their_paper):
    researcher.is_banned = True
    researcher.save()

    with pytest.raises(WriteRefused):
        services.claim_create(user=researcher, paper=their_paper)


def test_one_active_claim_per_paper(researcher, their_paper):
    services.claim_create(user=researcher, paper=their_paper)

    with pytest.raises(ValidationError, match="already claimed"):
        services.claim_create(user=researcher, paper=their_paper)


def test_a_rejection_needs_a_reason_and_tells_the_claimant(
    researcher, their_paper, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    made = services.claim_create(user=researcher, paper=their_paper)
    with pytest.raises(ValidationError, match="Say why"):
        services.claim_decide(claim=made, actor=moderator, approve=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_decide(
            claim=made, actor=moderator, approve=False, reason="Not the same person."
        )

    made.refresh_from_db()
    assert made.status == AuthorClaim.Status.REJECTED
    assert made.decided_by == moderator
    assert Notification.objects.get(recipient=researcher).claim == made
    assert "Not the same person." in mailoutbox[0].body


def test_only_moderators_decide(researcher, their_paper):
    made = services.claim_create(user=researcher, paper=their_paper)

    with pytest.raises(PermissionDenied):
        services.claim_decide(claim=made, actor=seasoned(), approve=True)


def test_only_the_claimant_withdraws(researcher, their_paper):
    made = services.claim_create(user=researcher, paper=their_paper)
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(claim=made, user=seasoned())

    services.claim_withdraw(claim=made, user=researcher)

    made.refresh_from_db()
    assert made.status == AuthorClaim.Status.WITHDRAWN
    # Withdrawn, the paper can be claimed again.
    assert services.claim_create(user=researcher, paper=their_paper).is_active


def test_first_and_last_name_match_a_listed_author(their_paper):
    user = seasoned(first_name="Daniel", last_name="Nüst", display_name="")
    OrcidAccountFactory(user=user)

    assert services.claim_listed_authorship(paper=their_paper, user=user).position == 0
