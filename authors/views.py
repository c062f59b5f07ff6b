from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from papers import selectors as paper_selectors
from papers.models import Paper
from shortscience.pagination import paginate
from users.policy import WriteRefused

from . import selectors, services
from .forms import ClaimForm
from .models import AuthorClaim


@login_required
@ratelimit(key="user", rate="20/h", method="POST", block=False)
def claim_create(request, paper_pk: int):
    """Claim authorship of a paper: ORCID confirms it, or a moderator checks it."""
    try:
        paper = paper_selectors.paper_get(pk=paper_pk)
    except Paper.DoesNotExist as exc:
        raise Http404("No such paper.") from exc
    orcid = services.orcid_verified(request.user)
    existing = (
        AuthorClaim.objects.active().filter(paper=paper, user=request.user).first()
    )
    status = 200
    form = ClaimForm(request.POST or None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.full_clean()
            form.add_error(None, "Too many claims in an hour; try again later.")
            status = 429
        elif form.is_valid():
            try:
                claim = services.claim_create(
                    user=request.user, paper=paper, note=form.cleaned_data["note"]
                )
            except (ValidationError, WriteRefused) as exc:
                form.add_error(
                    None, exc.message if isinstance(exc, WriteRefused) else exc
                )
                status = 403 if isinstance(exc, WriteRefused) else 400
            else:
                claim.refresh_from_db()
                if claim.is_approved:
                    messages.success(
                        request,
                        "Your ORCID record lists this paper: you are now shown as "
                        "one of its authors.",
                    )
                else:
                    messages.success(
                        request,
                        "Your claim is saved and waits for a moderator's check; you "
                        "will be notified of the decision.",
                    )
                return redirect(paper)
        else:
            status = 400
    return render(
        request,
        "authors/claim_form.html",
        {
            "paper": paper,
            "form": form,
            "orcid": orcid,
            "existing": existing,
            "listed": services.claim_listed_authorship(paper=paper, user=request.user),
        },
        status=status,
    )


@login_required
def claim_list(request):
    """List the user's claims, with their state, and let them withdraw one."""
    page = paginate(
        request, selectors.claim_list_for_user(user=request.user, approved_only=False)
    )
    return render(
        request,
        "authors/claim_list.html",
        {"page": page, "orcid": services.orcid_verified(request.user)},
    )


@login_required
@require_POST
def claim_withdraw(request, pk: int):
    claim = get_object_or_404(AuthorClaim, pk=pk, user=request.user)
    try:
        services.claim_withdraw(claim=claim, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your claim is withdrawn.")
    return redirect("authors:claim-list")
