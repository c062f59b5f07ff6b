import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from shortscience import markup
from summaries import services, views
from summaries.models import Summary, SummaryRevision
from tests.factories import PaperFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db

MATH = "The update is $\\theta_{t+1} = \\theta_t - \\eta \\nabla_\\theta \\mathcal{L}$."


def write_url(paper):
    return reverse("summaries:summary-write", args=[paper.pk])


def publish(client, paper, body=MATH, **flags):
    data = {
        "body": body,
        "action": "publish",
        **{k: "on" for k, v in flags.items() if v},
    }
    return client.post(write_url(paper), data)


def test_writing_needs_sign_in_and_comes_back(client, paper):
    response = client.get(write_url(paper))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert write_url(paper) in response["Location"]


def test_paper_page_invites_writing_and_then_editing(client_logged_in, user, paper):
    assert (
        "Write a summary"
        in client_logged_in.get(paper.get_absolute_url()).content.decode()
    )
    publish(client_logged_in, paper)
    html = client_logged_in.get(paper.get_absolute_url()).content.decode()
    assert "Edit your summary" in html


def test_publish_then_second_visit_edits_the_same_summary(
    client_logged_in, user, paper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = publish(client_logged_in, paper)
    summary = Summary.objects.get(paper=paper, writer=user)
    assert response["Location"] == summary.get_absolute_url()
    assert summary.status == Summary.Status.PUBLISHED and summary.published_at
    assert 'class="katex"' in summary.body_html
    editor = client_logged_in.get(write_url(paper)).content.decode()
    assert "Edit your summary" in editor and "theta_{t+1}" in editor
    publish(client_logged_in, paper, body=MATH + " More.")
    assert Summary.objects.filter(paper=paper, writer=user).count() == 1


def test_draft_is_never_shown_to_others(client_logged_in, user, paper):
    client_logged_in.post(
        write_url(paper), {"body": "secret draft words", "action": "draft"}
    )
    summary = Summary.objects.get(paper=paper, writer=user)
    assert summary.status == Summary.Status.DRAFT
    other = Client()
    assert (
        "secret draft words" not in other.get(paper.get_absolute_url()).content.decode()
    )
    assert other.get(summary.get_absolute_url()).status_code == 404
    assert client_logged_in.get(summary.get_absolute_url()).status_code == 200


def test_empty_summary_cannot_be_published(client_logged_in, paper):
    response = publish(client_logged_in, paper, body="   \n ")
    assert response.status_code == 400
    assert "An empty summary cannot be published" in response.content.decode()
    assert not Summary.objects.exists()


def test_body_over_the_limit_is_refused_with_a_clear_error(client_logged_in, paper):
    response = publish(client_logged_in, paper, body="x" * 100_001)
    assert response.status_code == 400
    assert "at most 100,000 characters" in response.content.decode()
    assert "x" * 1000 in response.content.decode()  # the text stays in the editor


def test_editing_someone_elses_summary_is_forbidden(client_logged_in):
    summary = SummaryFactory()
    assert (
        client_logged_in.get(
            reverse("summaries:summary-edit", args=[summary.pk])
        ).status_code
        == 403
    )
    response = client_logged_in.post(
        reverse("summaries:summary-edit", args=[summary.pk]),
        {"body": "mine now", "action": "save"},
    )
    assert response.status_code == 403
    for name in ("summary-delete", "summary-share"):
        assert (
            client_logged_in.post(
                reverse(f"summaries:{name}", args=[summary.pk])
            ).status_code
            == 403
        )


def test_preview_renders_math_and_broken_math_inline(client_logged_in):
    url = reverse("summaries:summary-preview")
    ok = client_logged_in.post(url, {"body": MATH})
    assert ok.status_code == 200 and 'class="katex"' in ok.content.decode()
    broken = client_logged_in.post(url, {"body": "before $\\frac{$ after"})
    assert broken.status_code == 200
    assert (
        "math-error" in broken.content.decode() and "after" in broken.content.decode()
    )


@pytest.fixture
def step_clock(monkeypatch, settings):
    """The production limit, and a clock for the renderer's deadline that moves 1 ms
    each time it is read. KaTeX is loaded first, on the real clock, as a running server
    has it."""
    settings.PREVIEW_RENDER_TIMEOUT = 0.3
    markup.render("$x$")
    reads = []

    def monotonic():
        reads.append(None)
        return len(reads) / 1000

    monkeypatch.setattr(markup, "time", type("Clock", (), {"monotonic": monotonic}))
    return reads


def test_a_preview_too_slow_to_render_says_so(client_logged_in, step_clock):
    url = reverse("summaries:summary-preview")

    response = client_logged_in.post(url, {"body": "![" * 50_000})

    assert response.status_code == 200
    assert response.content.decode() == (
        f'<p class="errorlist preview-too-slow">{views.PREVIEW_TOO_SLOW}</p>'
    )
    # Cut off at the 300 ms budget (300 reads of the 1 ms clock), not rendered whole.
    assert len(step_clock) < 310


def test_a_pathological_preview_under_a_tiny_budget_says_so(client_logged_in, settings):
    settings.PREVIEW_RENDER_TIMEOUT = 0.001

    response = client_logged_in.post(
        reverse("summaries:summary-preview"), {"body": "![" * 50_000}
    )

    assert response.content.decode() == (
        f'<p class="errorlist preview-too-slow">{views.PREVIEW_TOO_SLOW}</p>'
    )


def test_slow_previews_spend_an_allowance_per_account(
    client_logged_in, step_clock, user
):
    url = reverse("summaries:summary-preview")
    for _ in range(5):
        client_logged_in.post(url, {"body": "*a" * 50_000})
    step_clock.clear()

    slow = client_logged_in.post(url, {"body": "*a" * 50_000})
    stopped_after = len(step_clock)
    ordinary = client_logged_in.post(url, {"body": "An *ordinary* paragraph."})

    # Once spent, a preview gets 80 ms: a slow text stops sooner, an ordinary one renders.
    assert "preview-too-slow" in slow.content.decode()
    assert "<em>ordinary</em>" in ordinary.content.decode()
    assert stopped_after < 80
    other = Client()
    other.force_login(UserFactory())
    step_clock.clear()
    assert (
        "preview-too-slow" in other.post(url, {"body": "*a" * 50_000}).content.decode()
    )
    # Another account still has its full budget (less what its request took so far
    # and the reserve for the answer).
    assert len(step_clock) > 250


def test_the_editor_shows_a_stored_draft_too_slow_to_preview(
    client_logged_in, user, paper, step_clock
):
    client_logged_in.post(
        reverse("summaries:summary-autosave", args=[paper.pk]),
        {"body": "[a](" * 20_000},
    )

    page = client_logged_in.get(write_url(paper)).content.decode()

    assert views.PREVIEW_TOO_SLOW in page
    assert "[a](" * 10 in page  # the text itself is still in the editor


def test_preview_needs_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert (
        client.post(reverse("summaries:summary-preview"), {"body": "x"}).status_code
        == 403
    )


def test_no_js_preview_button_renders_and_keeps_a_draft(client_logged_in, user, paper):
    response = client_logged_in.post(
        write_url(paper), {"body": MATH, "action": "preview"}
    )
    assert response.status_code == 200
    assert 'class="katex"' in response.content.decode()
    assert Summary.objects.get(writer=user).status == Summary.Status.DRAFT


def test_autosave_keeps_a_draft_and_restores_it(client_logged_in, user, paper):
    url = reverse("summaries:summary-autosave", args=[paper.pk])
    response = client_logged_in.post(url, {"body": "half a thought"})
    assert response.json()["saved"] is True
    assert "half a thought" in client_logged_in.get(write_url(paper)).content.decode()


def test_autosave_of_a_published_summary_keeps_the_public_text(
    client_logged_in, user, paper
):
    publish(client_logged_in, paper, body="public text")
    client_logged_in.post(
        reverse("summaries:summary-autosave", args=[paper.pk]), {"body": "unsaved edit"}
    )
    summary = Summary.objects.get(writer=user)
    assert summary.body == "public text" and summary.pending_body == "unsaved edit"
    editor = client_logged_in.get(write_url(paper)).content.decode()
    assert "unsaved edit" in editor and "are restored below" in editor
    assert (
        "unsaved edit" not in Client().get(summary.get_absolute_url()).content.decode()
    )


def test_autosave_of_nothing_creates_nothing(client_logged_in, paper):
    response = client_logged_in.post(
        reverse("summaries:summary-autosave", args=[paper.pk]), {"body": " "}
    )
    assert response.json() == {"saved": False}
    assert not Summary.objects.exists()


def png_bytes(size=(40, 30), fmt="PNG", exif=False):
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCameraMaker"
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(client, data, name="figure.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("summaries:image-upload"), {"image": SimpleUploadedFile(name, data)}
    )


def test_image_upload_reencodes_and_serves_it_safely(client_logged_in):
    response = upload(
        client_logged_in, png_bytes(fmt="JPEG", exif=True), name="photo.jpg"
    )
    assert response.status_code == 200
    payload = response.json()
    assert payload["markdown"] == f"![image]({payload['url']})"
    served = client_logged_in.get(payload["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    body = b"".join(served.streaming_content)
    assert b"SecretCameraMaker" not in body
    assert Image.open(io.BytesIO(body)).size == (40, 30)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg onload=alert(1)></svg>", "not an image we can read"),
        (b"GIF89a" + b"\x00" * 20, "not an image we can read"),
        (b"%PDF-1.4 hello", "not an image we can read"),
    ],
)
def test_bad_uploads_get_a_clear_message(client_logged_in, data, message):
    response = upload(client_logged_in, data)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_oversized_upload_is_refused(client_logged_in):
    response = upload(client_logged_in, b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 400 and "5 MB" in response.json()["error"]


def test_bmp_is_refused_by_content_not_name(client_logged_in):
    response = upload(client_logged_in, png_bytes(fmt="BMP"), name="looks-fine.png")
    assert response.status_code == 400 and "BMP" in response.json()["error"]


def test_anonymous_summary_hides_the_name_everywhere_public(
    client_logged_in, user, paper, django_capture_on_commit_callbacks
):
    user.display_name = "Visible Name"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(client_logged_in, paper, is_anonymous=True)
    summary = Summary.objects.get(writer=user)
    reader = Client()
    for url in (
        paper.get_absolute_url(),
        summary.get_absolute_url(),
        reverse("home"),
        reverse("summaries:summary-history", args=[summary.pk]),
    ):
        html = reader.get(url).content.decode()
        assert "Visible Name" not in html, url
    assert "Anonymous" in reader.get(paper.get_absolute_url()).content.decode()
    assert (
        summary.paper.title not in reader.get(user.get_absolute_url()).content.decode()
    )


def test_private_share_link_revoke_and_renew(client_logged_in, user, paper):
    publish(client_logged_in, paper, body="private words", is_private=True)
    summary = Summary.objects.get(writer=user)
    reader = Client()
    assert reader.get(summary.get_absolute_url()).status_code == 404
    assert "private words" not in reader.get(paper.get_absolute_url()).content.decode()
    old_link = reverse("summary-shared", args=[summary.share_token])
    assert reader.get(old_link).status_code == 200

    share = reverse("summaries:summary-share", args=[summary.pk])
    client_logged_in.post(share, {"action": "revoke"})
    assert reader.get(old_link).status_code == 404
    client_logged_in.post(share, {"action": "renew"})
    summary.refresh_from_db()
    assert summary.share_token not in old_link
    assert (
        reader.get(reverse("summary-shared", args=[summary.share_token])).status_code
        == 200
    )
    assert reader.get(old_link).status_code == 404


def test_revisions_history_diff_and_restore(client_logged_in, user, paper):
    publish(client_logged_in, paper, body="first version")
    summary = Summary.objects.get(writer=user)
    edit = reverse("summaries:summary-edit", args=[summary.pk])
    client_logged_in.post(edit, {"body": "second version", "action": "save"})
    client_logged_in.post(
        edit, {"body": "second version", "action": "save"}
    )  # unchanged
    client_logged_in.post(edit, {"body": "third version", "action": "save"})
    assert list(summary.revisions.values_list("number", flat=True)) == [3, 2, 1]

    history = reverse("summaries:summary-history", args=[summary.pk])
    html = client_logged_in.get(history, {"a": 1, "b": 3}).content.decode()
    assert "Changes from revision 1 to 3" in html
    assert "Revision 1" in html and "Revision 3" in html
    # Word-level: only the changed word is marked, inline and in the two columns.
    assert html.count("<del>first</del>") == 2
    assert html.count("<ins>third</ins>") == 2
    assert "<del>first version" not in html

    client_logged_in.post(reverse("summaries:summary-restore", args=[summary.pk, 1]))
    summary.refresh_from_db()
    assert summary.body == "first version"
    newest = summary.revisions.first()
    assert newest.number == 4 and newest.note == "restored revision 1"


def test_history_of_unknown_revision_is_404(client, summary):
    SummaryRevision.objects.create(
        summary=summary, number=1, body="a", writer=summary.writer
    )
    SummaryRevision.objects.create(
        summary=summary, number=2, body="b", writer=summary.writer
    )
    url = reverse("summaries:summary-history", args=[summary.pk])
    assert client.get(url, {"a": 1, "b": 9}).status_code == 404
    assert client.get(url, {"a": "x"}).status_code == 200


def test_citations_link_papers_and_make_backlinks(
    client_logged_in, user, django_capture_on_commit_callbacks
):
    cited = PaperFactory(title="Rethinking generalization", arxiv_id="1611.03530")
    citing_paper = PaperFactory(title="A paper that builds on it")
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            client_logged_in,
            citing_paper,
            body="As shown in \\cite{arXiv:1611.03530v2}, nets memorise.",
        )
    summary = Summary.objects.get(writer=user)
    assert 'href="/cite/arxiv/1611.03530"' in summary.body_html
    assert (
        client_logged_in.get("/cite/arxiv/1611.03530")["Location"]
        == cited.get_absolute_url()
    )
    html = Client().get(cited.get_absolute_url()).content.decode()
    assert (
        "Summaries that cite this paper" in html and "A paper that builds on it" in html
    )


def test_citation_of_an_unknown_paper_offers_to_add_it(client):
    response = client.get("/cite/doi/10.1000/xyz123")
    assert response["Location"] == reverse("papers:paper-add") + "?q=10.1000%2Fxyz123"


def test_summary_records_the_arxiv_version_it_was_written_for(client_logged_in, user):
    paper = PaperFactory(arxiv_version=1)
    publish(client_logged_in, paper)
    paper.arxiv_version = 3
    paper.save()
    html = Client().get(paper.get_absolute_url()).content.decode()
    assert "Written for v1; the paper is now at" in html


def test_delete_is_soft_and_staff_can_restore(
    client_logged_in, user, paper, admin_client
):
    publish(client_logged_in, paper, body="to be deleted")
    summary = Summary.objects.get(writer=user)
    client_logged_in.post(reverse("summaries:summary-delete", args=[summary.pk]))
    summary.refresh_from_db()
    assert summary.deleted_at is not None
    assert (
        "to be deleted" not in Client().get(paper.get_absolute_url()).content.decode()
    )
    assert Client().get(summary.get_absolute_url()).status_code == 404

    admin_client.post(
        reverse("admin:summaries_summary_changelist"),
        {"action": "restore_deleted", "_selected_action": [summary.pk]},
    )
    summary.refresh_from_db()
    assert summary.deleted_at is None
    assert "to be deleted" in Client().get(paper.get_absolute_url()).content.decode()


def test_deleted_summaries_are_purged_after_30_days():
    old = SummaryFactory(deleted_at=timezone.now() - timedelta(days=31))
    recent = SummaryFactory(deleted_at=timezone.now() - timedelta(days=29))
    assert services.summaries_purge_deleted() == 1
    assert not Summary.objects.filter(pk=old.pk).exists()
    assert Summary.objects.filter(pk=recent.pk).exists()


def test_writer_sees_new_text_at_once_others_after_rendering(
    client_logged_in, user, paper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(client_logged_in, paper, body="old words")
    summary = Summary.objects.get(writer=user)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        client_logged_in.post(
            reverse("summaries:summary-edit", args=[summary.pk]),
            {"body": "new *words*", "action": "save"},
        )
    assert (
        "<em>words</em>"
        in client_logged_in.get(summary.get_absolute_url()).content.decode()
    )
    assert "old words" in Client().get(summary.get_absolute_url()).content.decode()
    for callback in pending:
        callback()
    assert "<em>words</em>" in Client().get(summary.get_absolute_url()).content.decode()


def test_saving_is_rate_limited(client_logged_in, paper):
    # The clock stands still so that the 31 saves cannot straddle the limit's window.
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [
            client_logged_in.post(
                write_url(paper), {"body": f"v{i}", "action": "draft"}
            ).status_code
            for i in range(31)
        ]
    assert statuses[:30] == [302] * 30
    assert statuses[30] == 429


def test_other_users_see_their_own_editor(client_logged_in, paper):
    SummaryFactory(paper=paper, writer=UserFactory(), body="someone else")
    html = client_logged_in.get(write_url(paper)).content.decode()
    assert "Write a summary" in html and "someone else" not in html


def test_deleting_offers_an_undo_that_brings_the_summary_back(
    client_logged_in, user, paper
):
    publish(client_logged_in, paper, body="worth keeping")
    summary = Summary.objects.get(writer=user)

    response = client_logged_in.post(
        reverse("summaries:summary-delete", args=[summary.pk])
    )
    assert response["Location"] == reverse(
        "summaries:summary-deleted", args=[summary.pk]
    )
    page = client_logged_in.get(response["Location"]).content.decode()
    assert "Undo the deletion" in page
    assert reverse("summaries:summary-undelete", args=[summary.pk]) in page

    response = client_logged_in.post(
        reverse("summaries:summary-undelete", args=[summary.pk])
    )

    summary.refresh_from_db()
    assert summary.deleted_at is None
    assert response["Location"] == summary.get_absolute_url()
    assert "worth keeping" in Client().get(paper.get_absolute_url()).content.decode()


def test_undo_of_a_deletion_ends_after_the_window(client_logged_in, user, paper):
    publish(client_logged_in, paper, body="gone for good")
    summary = Summary.objects.get(writer=user)
    client_logged_in.post(reverse("summaries:summary-delete", args=[summary.pk]))

    later = timezone.now() + services.UNDO_DELETE_WINDOW + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        page = client_logged_in.get(
            reverse("summaries:summary-deleted", args=[summary.pk])
        ).content.decode()
        client_logged_in.post(reverse("summaries:summary-undelete", args=[summary.pk]))

    summary.refresh_from_db()
    assert "Undo the deletion" not in page
    assert "too late to undo" in page
    assert summary.deleted_at is not None


def test_only_the_writer_can_undo_a_deletion(client_logged_in, paper):
    other = SummaryFactory(paper=paper, deleted_at=timezone.now())

    response = client_logged_in.post(
        reverse("summaries:summary-undelete", args=[other.pk])
    )

    other.refresh_from_db()
    assert response.status_code == 403
    assert other.deleted_at is not None


def test_a_private_summary_is_not_called_published(client_logged_in, user, paper):
    response = publish(client_logged_in, paper, is_private=True)

    page = client_logged_in.get(response["Location"]).content.decode()
    assert "saved and published" not in page
    assert "It is private: only you" in page
