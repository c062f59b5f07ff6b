"""Scores and reputations stay true through every change of votes and of visibility.

A summary's score is the sum of its votes, leaving out those of the paper's claimed
authors; a writer's reputation is the sum of the scores of their public, non-anonymous
summaries (README, "Votes").
"""

from contextlib import suppress
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authors import services as author_services
from authors.models import AuthorClaim
from community.services import moderate_content, moderators_group
from summaries import services
from summaries.models import Summary, Vote
from tests.factories import OrcidAccountFactory, PaperFactory, UserFactory
from users.accounts import account_delete
from users.models import User
from users.policy import WriteRefused

pytestmark = pytest.mark.django_db


def old_user(**kwargs):
    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


def assert_counts_true():
    for summary in Summary.objects.all():
        authors = AuthorClaim.objects.approved().filter(paper_id=summary.paper_id)
        votes = (
            Vote.objects.filter(summary=summary)
            .exclude(user_id__in=authors.values("user_id"))
            .aggregate(s=Sum("value"))["s"]
        )
        assert summary.score == (votes or 0), f"score of summary {summary.pk}"
    for user in User.objects.all():
        expected = sum(
            s.score
            for s in Summary.objects.filter(writer=user)
            if s.is_public and not s.is_anonymous
        )
        assert user.reputation == expected, f"reputation of {user.username}"


@pytest.fixture
def voted():
    """A published summary with two up-votes."""
    writer = old_user()
    summary = services.summary_save(
        paper=PaperFactory(), writer=writer, body="Text.", publish=True
    )
    for _ in range(2):
        services.vote_set(user=old_user(), summary=summary, value=1)
    writer.refresh_from_db()
    assert writer.reputation == 2
    return summary


def reputation(summary) -> int:
    return User.objects.get(pk=summary.writer_id).reputation


def test_hiding_by_a_moderator_takes_the_score_out_of_reputation(voted):
    moderator = old_user()
    moderator.groups.add(moderators_group())

    moderate_content(actor=moderator, hide=True, summary=voted)
    assert reputation(voted) == 0
    moderate_content(actor=moderator, hide=False, summary=voted)
    assert reputation(voted) == 2


def test_deleting_and_restoring_moves_reputation(voted):
    services.summary_delete(summary=voted)
    assert reputation(voted) == 0
    services.summary_undelete(summary=voted)
    assert reputation(voted) == 2


@pytest.mark.parametrize("flag", ["is_private", "is_anonymous"])
def test_private_and_anonymous_summaries_count_in_no_reputation(voted, flag):
    services.summary_save(
        paper=voted.paper, writer=voted.writer, body=voted.body, **{flag: True}
    )
    assert reputation(voted) == 0
    services.summary_save(paper=voted.paper, writer=voted.writer, body=voted.body)
    assert reputation(voted) == 2


def test_an_admin_save_that_changes_the_writer_moves_reputation(voted):
    former = voted.writer
    voted.writer = old_user()

    services.summary_save_from_admin(summary=voted)

    assert User.objects.get(pk=former.pk).reputation == 0
    assert reputation(voted) == 2


# Random sequences -------------------------------------------------------------------

WRITERS, VOTERS, PAPERS = 2, 3, 2
idx = st.integers
OPERATIONS = st.one_of(
    st.tuples(
        st.just("vote"),
        idx(0, WRITERS + VOTERS - 1),
        idx(0, WRITERS * PAPERS - 1),
        st.sampled_from([-1, 0, 1]),
    ),
    st.tuples(
        st.sampled_from(["hide", "unhide", "delete", "restore"]),
        idx(0, WRITERS * PAPERS - 1),
    ),
    st.tuples(
        st.just("flags"),
        idx(0, WRITERS * PAPERS - 1),
        st.booleans(),  # private
        st.booleans(),  # anonymous
    ),
    st.tuples(st.just("delete account"), idx(0, WRITERS + VOTERS - 1), st.booleans()),
    # A person becomes (or stops being) a claimed author of a paper.
    st.tuples(
        st.sampled_from(["claim", "unclaim"]),
        idx(0, WRITERS + VOTERS - 1),
        idx(0, PAPERS - 1),
    ),
)


class _Rollback(Exception):
    pass


def _apply(operation, people, summaries, moderator, papers=()):
    kind, *args = operation
    if kind == "vote":
        person, target, value = people[args[0]], summaries[args[1]], args[2]
        if person is None:
            return
        summary = Summary.objects.get(pk=target)
        with suppress(PermissionError):  # nobody votes on their own summary
            services.vote_set(user=person, summary=summary, value=value)
    elif kind in ("hide", "unhide"):
        moderate_content(
            actor=moderator,
            hide=kind == "hide",
            summary=Summary.objects.get(pk=summaries[args[0]]),
        )
    elif kind == "delete":
        services.summary_delete(summary=Summary.objects.get(pk=summaries[args[0]]))
    elif kind == "restore":
        services.summary_undelete(summary=Summary.objects.get(pk=summaries[args[0]]))
    elif kind == "flags":
        summary = Summary.objects.select_related("writer").get(pk=summaries[args[0]])
        # A summary held by a "deleted user" account cannot change: it writes nothing.
        with suppress(WriteRefused):
            services.summary_save(
                paper=summary.paper,
                writer=summary.writer,
                body=summary.body,
                is_private=args[1],
                is_anonymous=args[2],
            )
    elif kind in ("claim", "unclaim"):
        person, paper = people[args[0]], papers[args[1]]
        if person is None:
            return
        active = AuthorClaim.objects.active().filter(paper=paper, user=person).first()
        if kind == "claim" and active is None:
            made = author_services.claim_create(user=person, paper=paper)
            author_services.claim_decide(claim=made, actor=moderator, approve=True)
        elif kind == "unclaim" and active is not None:
            author_services.claim_withdraw(claim=active, user=person)
    elif kind == "delete account":
        person = people[args[0]]
        if person is not None:
            account_delete(user=person, keep_summaries=args[1])
            people[args[0]] = None


@settings(
    max_examples=30,
    deadline=None,
    # Each example runs in a savepoint rolled back at its end, so the database fixture
    # is shared safely between examples.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=12))
def test_counts_stay_true_through_any_sequence_of_changes(db, operations):
    try:
        with transaction.atomic():
            moderator = old_user()
            moderator.groups.add(moderators_group())
            people = [old_user() for _ in range(WRITERS + VOTERS)]
            for person in people:
                OrcidAccountFactory(user=person)
            papers = [PaperFactory() for _ in range(PAPERS)]
            summaries = [
                services.summary_save(
                    paper=paper, writer=writer, body="Text.", publish=True
                ).pk
                for writer in people[:WRITERS]
                for paper in papers
            ]
            # Start with scores to lose: every voter has up-voted every summary.
            for voter in people[WRITERS:]:
                for pk in summaries:
                    services.vote_set(
                        user=voter, summary=Summary.objects.get(pk=pk), value=1
                    )
            assert_counts_true()
            for operation in operations:
                _apply(operation, people, summaries, moderator, papers)
                assert_counts_true()
            raise _Rollback
    except _Rollback:
        pass
