"""The user's signed-in sessions (allauth.usersessions): list them, end one or all others.

allauth records a row per session at sign-in and, with USERSESSIONS_TRACK_ACTIVITY, keeps
its address and last-seen time current; the address is shortscience.clientip.client_ip's
(through AccountAdapter.get_client_ip). Changing the password or the primary e-mail address
ends every other session.
"""

import re
import time
from dataclasses import dataclass
from datetime import datetime

from allauth.account.signals import email_changed, password_changed, password_set
from allauth.usersessions.internal.usersessionkit import track_activity
from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

from .models import User

# (pattern, name), first match wins: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = [
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
    (r"curl/|python-requests|Wget", "a script"),
]
_SYSTEMS = [
    (r"iPhone|iPad|iPod", "iOS"),
    (r"Android", "Android"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
]


def device_from_user_agent(user_agent: str) -> str:
    """Name the browser and system in a User-Agent header, e.g. "Firefox on Linux"."""
    browser = next((n for p, n in _BROWSERS if re.search(p, user_agent)), "")
    system = next((n for p, n in _SYSTEMS if re.search(p, user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    user_agent: str
    ip: str
    started_at: datetime
    last_seen_at: datetime
    is_current: bool


def user_session_list(*, request: HttpRequest) -> list[SessionRow]:
    """Return the signed-in user's live sessions, the current one first, then most recent."""
    sessions = UserSession.objects.purge_and_list(request.user)
    current = request.session.session_key
    rows = [
        SessionRow(
            id=s.pk,
            device=device_from_user_agent(s.user_agent),
            user_agent=s.user_agent,
            ip=s.ip,
            started_at=s.created_at,
            last_seen_at=s.last_seen_at,
            is_current=s.session_key == current,
        )
        for s in sessions
    ]
    return sorted(rows, key=lambda r: (not r.is_current, -r.last_seen_at.timestamp()))


def user_sessions_end(
    *, user: User, keep_session_key: str | None, session_id: int | None = None
) -> int:
    """End one of the user's sessions, or with no id all but `keep_session_key`; return how many."""
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    if session_id is not None:
        sessions = sessions.filter(pk=session_id)
    ended = 0
    for session in sessions:
        session.end()
        ended += 1
    return ended


def _end_others_on_credentials_change(sender, request, user, **kwargs) -> None:
    if request is not None:
        user_sessions_end(user=user, keep_session_key=request.session.session_key)


# allauth's own activity tracking writes on every request; once per few minutes is enough
# for "last seen" and keeps signed-in pages free of extra queries.
SEEN_SESSION_KEY = "usersessions_seen_at"
SEEN_EVERY = 300


def _stamp_seen(sender, request, user, **kwargs) -> None:
    # Signing in records the session (allauth.usersessions); count it as seen now.
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_SESSION_KEY] = int(time.time())


class SessionActivityMiddleware:
    """Keep each session's address and last-seen time, at most every SEEN_EVERY seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(SEEN_SESSION_KEY, 0) >= SEEN_EVERY:
                track_activity(request, user=user, session=session)
                session[SEEN_SESSION_KEY] = now
        return self.get_response(request)


def sessions_connect_signals() -> None:
    """End the other sessions when the password is changed or set, or the address changes."""
    for signal in (password_changed, password_set, email_changed):
        signal.connect(
            _end_others_on_credentials_change, dispatch_uid=f"end-{id(signal)}"
        )
    user_logged_in.connect(_stamp_seen, dispatch_uid="usersessions-seen")
