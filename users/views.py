from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import services
from .forms import ProfileForm
from .identicon import identicon_svg
from .models import User
from .sessions import user_session_list, user_sessions_end


@login_required
def profile_settings(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(user=request.user, data=form.cleaned_data)
        messages.success(request, "Your profile was saved.")
        return redirect("users:settings-profile")
    return render(
        request,
        "users/settings_profile.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def user_avatar(request, username: str):
    """Serve the user's identicon, drawn here from a hash of their id."""
    user = get_object_or_404(User.objects.only("pk"), username=username)
    response = HttpResponse(identicon_svg(user.pk), content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The picture depends on the id only, so browsers may keep it for a day.
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
def session_list(request):
    return render(
        request,
        "users/settings_sessions.html",
        {"sessions": user_session_list(request=request)},
    )


@login_required
@require_POST
def session_end(request, pk: int | None = None):
    ended = user_sessions_end(
        user=request.user,
        keep_session_key=request.session.session_key,
        session_id=pk,
    )
    if pk is not None and not ended:
        raise Http404("No such session.")
    messages.success(
        request,
        "That session is signed out."
        if pk
        else f"Signed out {ended} other session(s).",
    )
    return redirect("users:settings-sessions")
