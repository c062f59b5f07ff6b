"""Serve anonymous pages from the cache at the door, and never a stale one.

Invalidation belongs to the writes, at the size of what they change. Every object a
public page shows has a version in the cache (`v:<kind>:<id>`, the time of its last
change); the write services call `cache_touch("paper", paper.pk)` and nothing else
moves a version. A page records, while it renders, the objects it shows
(`cache_depends`), and is stored with their versions; a hit is served only while every
one of them is unchanged. No request invalidates anything by itself: previews,
autosaves, drafts, sign-ins, notifications and CSP reports touch nothing public.

`PageCacheMiddleware` stands first in the chain: a hit is answered before sessions,
authentication or the database are reached. Only views wrapped in `cache_anonymous`
are cached, under a key made of the scheme, host, path and only the query parameters
the view names (`params`); any other parameter leaves the key unchanged, so a flood of
made-up query strings all land on one entry.

Only requests without a session or messages cookie are answered from the cache, and
only responses that set no cookie and used no CSRF token are stored, so a signed-in
reader never sees another user's page and no CSRF token is ever shared.
"""

import contextlib
import gzip
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from functools import lru_cache, wraps
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from redis.exceptions import RedisError

from shortscience import dbrouter
from shortscience.tracked import TrackedVersions

logger = logging.getLogger(__name__)
# What the cache raises when its server is down.
CACHE_ERRORS = (RedisError, OSError)

# How long a stored page may be served while nothing it shows changes: a bound for the
# rare write whose announcement was lost (the cache unreachable for a moment).
PAGE_TIMEOUT = 60 * 10
# What HTTP caches in front (nginx, Varnish, a CDN) are told they may keep a page.
S_MAXAGE = 60
STALE_WHILE_REVALIDATE = 30
# Responses at least this large are also stored gzipped, for clients that accept it.
COMPRESS_MIN_BYTES = 1024
COMPRESSIBLE = re.compile(r"^(text/|application/(json|xml|rss\+xml|atom\+xml))")
STORED_VARY = {"cookie", "accept-encoding"}
HEADERS_NOT_STORED = {"set-cookie", "content-length", "x-cache", "content-encoding"}

Params = Mapping[str, Callable[[str], str | None]]


class _Render:
    """What the page being rendered shows (version keys), and when its render started."""

    def __init__(self) -> None:
        self.started = time.time_ns()
        self.deps: set[str] = set()
        self.versions: dict[str, int] = {}  # read once per request, for fragments
        # Fragments and pieces rendered anew, written in one round trip when the
        # request ends (_keep_rendered).
        self.kept: dict[str, Any] = {}


_rendering: ContextVar[_Render | None] = ContextVar("page_render", default=None)


# Versions ---------------------------------------------------------------------------


def _version_key(kind: str, ident: object) -> str:
    return f"v:{kind}:{ident}"


# The versions this process read, kept in memory while Redis announces every change to
# them (shortscience/tracked.py): a hit then needs no round trip at all.
TRACKED = TrackedVersions("v:")


def _tracked() -> TrackedVersions | None:
    """The memory of versions, when the cache is Redis and CACHE_TRACK_VERSIONS is on."""
    if not settings.CACHE_TRACK_VERSIONS or not _is_redis():
        return None
    return TRACKED


def versions_settle(timeout: float = 2.0) -> None:
    """Wait until this process has heard of every change to versions made so far, by any
    process (no-op unless versions are tracked)."""
    tracked = _tracked()
    if tracked is not None:
        tracked.settle(timeout)


def _is_redis() -> bool:
    client = getattr(cache, "client", None)
    return client is not None and hasattr(client, "get_client")


def _touch_now(keys: list[str]) -> None:
    now = time.time_ns()
    try:
        cache.set_many(dict.fromkeys(keys, now), timeout=None)
    except CACHE_ERRORS as exc:
        # Redis keeps nothing on disk here: when it comes back it is empty, so no page
        # stored under the old versions survives.
        logger.warning("cache unavailable, versions not moved: %s", exc)
    # This process sees its own change at once; the others when Redis announces it.
    TRACKED.drop(keys)


class TouchAfterCommit:
    """The on-commit callback that moves a transaction's touched versions again."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = set(keys)

    def __call__(self) -> None:
        _touch_committed(sorted(self.keys))


def _touch_committed(keys: list[str]) -> None:
    """Move versions after a commit: replicas must first replay that far (dbrouter)."""
    dbrouter.content_position_note()
    _touch_now(keys)


def cache_touch(kind: str, *ids: object) -> None:
    """Mark objects as changed: every page or fragment that shows them is stale.

    Called by the services that change public content, with the kind of object and the
    ids changed. Kinds: "paper", "summary" (its text, byline, visibility), "score" (a
    summary's score, moved by votes), "thread" (a summary's comments added, removed or
    hidden), "paper-summaries" (a paper's summaries published or taken away),
    "summary-excerpt", "comment", "user" (name and profile), "reputation", "venue",
    "venue-papers" (what a venue's coverage counts count), "venue-year" ("<venue
    id>:<year>": which papers a venue-year lists), "year-papers", "keyword-papers",
    "list", "paper-authors" (a paper's claimed authors), "summary-voice" (a summary's
    author responses), "summary-requests" (how many readers asked for a summary of a
    paper). The versions move
    at once and again after the transaction commits, so a page rendered from the data
    before the commit is never kept.
    """
    if not ids:
        return
    keys = [_version_key(kind, i) for i in ids]
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _touch_committed(keys)  # autocommit: the change is already committed
        return
    _touch_now(keys)
    # One callback per transaction moves every version it touched once more.
    for _, callback, _ in connection.run_on_commit:
        if isinstance(callback, TouchAfterCommit):
            callback.keys.update(keys)
            return
    transaction.on_commit(TouchAfterCommit(keys))


def cache_forget(*keys: str) -> None:
    """Delete derived data kept under `keys` (a count, a box of a page), at once and
    again when the transaction commits: a page rendered meanwhile may have kept it from
    the data before the commit."""
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def cache_depends(kind: str, *ids: object) -> None:
    """Record that the page being rendered shows these objects (no-op outside the cache)."""
    render = _rendering.get()
    if render is not None:
        render.deps.update(_version_key(kind, i) for i in ids)


def cache_version(kind: str, ident: object) -> int:
    """Return an object's current version, to put in the key of derived data."""
    key = _version_key(kind, ident)
    version = cache.get(key)
    if version is None:
        # A new version is as old as the page render asking for it (see _versions).
        render = _rendering.get()
        cache.add(key, render.started if render else time.time_ns(), timeout=None)
        version = cache.get(key, 0)
    return version


def _versions(keys: Iterable[str], *, created_at: int | None = None) -> dict[str, int]:
    """Return the versions of `keys`; with `created_at`, give missing ones that version.

    A version never seen (or evicted) starts at `created_at`, the start of the render
    asking: no page stored under an earlier, forgotten value can match it, and no write
    touched it during the render (its touch would have stored it).
    """
    keys = list(keys)
    tracked = _tracked()
    found: dict[str, int]
    if tracked is None:
        found, unknown, generation = {}, keys, -1
    else:
        found, unknown, generation = tracked.lookup(keys)
    if unknown:
        # A copy: with the cache down, django-redis answers every call with one shared {}.
        read = dict(cache.get_many(unknown))
        if tracked is not None:
            tracked.keep(read, generation)
        found.update(read)
    if created_at is not None:
        missing = [key for key in keys if key not in found]
        if missing:
            found.update(_versions_add(missing, created_at))
    return found


def _versions_add(keys: list[str], created_at: int) -> dict[str, int]:
    """Store `created_at` as the version of each key that has none yet, and return what
    each key holds then (another process may have stored its own first)."""
    if not _is_redis():
        # Not Redis (the embedded file cache): one key at a time.
        found = {}
        for key in keys:
            cache.add(key, created_at, timeout=None)
            found[key] = cache.get(key, 0)
        return found
    # Redis: every key set-if-absent and read back in one command, not two a key.
    client = cache.client  # type: ignore[attr-defined]  # django-redis
    names = [cache.make_and_validate_key(key) for key in keys]
    redis = client.get_client(write=True)
    version = client.encode(created_at)
    stored = []
    for start in range(0, len(names), _ADD_VERSIONS_KEYS):
        chunk = names[start : start + _ADD_VERSIONS_KEYS]
        stored += redis.eval(_ADD_VERSIONS, len(chunk), *chunk, version)
    return {
        key: client.decode(value) if value is not None else 0
        for key, value in zip(keys, stored, strict=True)
    }


# Set each key (KEYS) that has no value to ARGV[1], then return every key's value; at
# most _ADD_VERSIONS_KEYS keys a call (Lua's unpack has a bound).
_ADD_VERSIONS_KEYS = 1000
_ADD_VERSIONS = """
for _, key in ipairs(KEYS) do
  redis.call("SET", key, ARGV[1], "NX")
end
return redis.call("MGET", unpack(KEYS))
"""


# Which pages, under which key ----------------------------------------------------------


def page_number(value: str) -> str | None:
    """?page=: a page number other than 1 keeps its place in the key; anything else is page 1."""
    return value if re.fullmatch(r"[1-9][0-9]{0,5}", value) and value != "1" else None


def one_of(*choices: str) -> Callable[[str], str | None]:
    """A parameter with a fixed set of values (the first is the default, left out)."""

    def normalise(value: str) -> str | None:
        return value if value in choices[1:] else None

    return normalise


def text(max_length: int) -> Callable[[str], str | None]:
    """A free-text parameter, kept as typed; a longer value keeps one more character.

    A value over `max_length` is refused by the page's form, so its key only needs to
    differ from every valid one: the first max_length + 1 characters do.
    """

    def normalise(value: str) -> str | None:
        return value[: max_length + 1] or None

    return normalise


def cache_anonymous(
    view=None,
    *,
    params: Params | None = None,
    timeout=PAGE_TIMEOUT,
    admit_after: int = 1,
    lags: Iterable[str] = (),
    lag_seconds: int | None = None,
):
    """Cache a page view for readers who are not signed in.

    `params` names the query parameters that change the page, each with a function
    giving its canonical value (None: as if absent); every other parameter is ignored
    for caching. `timeout` bounds how long a page may lag behind changes it does not
    track (see the freshness contract in the README). With `admit_after=n` a page is
    stored only once its key was asked for n times within `timeout`: pages whose
    parameters are free text (a search) cannot fill the cache with one-off entries,
    each of which costs a small counter instead, kept for `timeout`. `lags` names kinds
    of versions (such as "score") the page is not made stale by at once: it shows them
    as they were when it rendered, for at most `lag_seconds` (default `timeout`), after
    which a change to any of them makes it stale.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        wrapper.cache_params = dict(params or {})
        wrapper.cache_timeout = timeout
        wrapper.cache_admit_after = admit_after
        wrapper.cache_lags = frozenset(lags)
        wrapper.cache_lag_seconds = timeout if lag_seconds is None else lag_seconds
        return wrapper

    return decorate(view) if view is not None else decorate


def at_the_door(view):
    """Answer this view first, before sessions, authentication, CSRF and security headers.

    For views that read nothing of the request but its path and answer a few plain bytes
    (a liveness probe): under load they cost what Django itself costs, not the chain's.
    """
    view.at_the_door = True
    return view


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.META.get("HTTP_HX_REQUEST")
    )


class Planned(NamedTuple):
    """How one request's page is cached: its key and its view's caching terms."""

    key: str
    timeout: int
    admit_after: int
    lags: frozenset[str]
    lag_seconds: int


class _Terms(NamedTuple):
    """What the door needs to know of the view at a path."""

    door: Callable | None  # the view, if it is answered at the door
    cached: tuple[Params, int, int, frozenset[str], int] | None  # see _page_view


@lru_cache(maxsize=4096)
def _view_terms(urlconf: str, path: str) -> _Terms:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return _Terms(None, None)
    view = match.func
    door = view if getattr(view, "at_the_door", False) else None
    params: Params | None = getattr(view, "cache_params", None)
    if params is None:
        return _Terms(door, None)
    return _Terms(
        door,
        (
            params,
            getattr(view, "cache_timeout", PAGE_TIMEOUT),
            getattr(view, "cache_admit_after", 1),
            getattr(view, "cache_lags", frozenset()),
            getattr(view, "cache_lag_seconds", PAGE_TIMEOUT),
        ),
    )


def _page_view(
    urlconf: str, path: str
) -> tuple[Params, int, int, frozenset[str], int] | None:
    """Return how the view at `path` is cached (params, timeout, admit after, lags and
    for how long), or None when it is not."""
    return _view_terms(urlconf, path).cached


def page_key(request) -> Planned | None:
    """Return how an anonymous request to a cached page is cached, or None."""
    if not _cacheable_request(request):
        return None
    urlconf, path_info = settings.ROOT_URLCONF, request.path_info
    if _page_view(urlconf, path_info) is None:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    query = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
    return _planned(urlconf, path_info, request.scheme, host, request.path, query)


@lru_cache(maxsize=4096)
def _planned(
    urlconf: str, path_info: str, scheme: str, host: str, path: str, query: bytes
) -> Planned:
    """The key of a page, from its address and how its view is cached (remembered: most
    requests ask for an address asked for before)."""
    view = _page_view(urlconf, path_info)
    if view is None:  # page_key asks first
        raise ValueError(f"{path_info} is not a cached page")
    params, timeout, admit_after, lags, lag_seconds = view
    given = QueryDict(query, encoding=settings.DEFAULT_CHARSET)
    kept = []
    for name in sorted(params):
        value = given.get(name)
        canonical = params[name](value) if value is not None else None
        if canonical is not None:
            kept.append((name, canonical))
    address = f"{scheme}://{host}{path}?{urlencode(kept)}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return Planned(f"page:{digest}", timeout, admit_after, lags, lag_seconds)


def _admitted(key: str, needed: int, window: int) -> bool:
    """Count a request for `key`; say whether it was asked for `needed` times in `window`."""
    if needed <= 1:
        return True
    seen = f"seen:{key}"
    if cache.add(seen, 1, window):
        return False  # the first time
    try:
        return cache.incr(seen) >= needed
    except ValueError:  # expired between the two calls
        return False


# Fragments ------------------------------------------------------------------------------

FRAGMENT_TIMEOUT = 60 * 60


def _keep_rendered(render: _Render) -> None:
    """Write the fragments and pieces a request rendered anew, all at once."""
    if not render.kept:
        return
    try:
        cache.set_many(render.kept, FRAGMENT_TIMEOUT)
    except CACHE_ERRORS as exc:
        logger.warning("cache unavailable, fragments not kept: %s", exc)


def _fragment_versions(render: _Render, keys: list[str]) -> dict[str, int]:
    """Return the versions of `keys`, reading every version the page declared at once."""
    wanted = [k for k in keys if k not in render.versions]
    if wanted:
        ahead = {*wanted, *(render.deps - render.versions.keys())}
        render.versions.update(_versions(ahead, created_at=render.started))
    return {k: render.versions[k] for k in keys}


def versions_read_ahead() -> None:
    """Read now, in one round trip, the versions of everything the page declared so far.

    A page about to render several fragments or pieces (a paper's summary cards)
    declares what they will show first, so that they find their versions read instead
    of reading them one by one.
    """
    render = _rendering.get()
    if render is None:
        return
    unknown = render.deps - render.versions.keys()
    if unknown:
        with contextlib.suppress(*CACHE_ERRORS):
            render.versions.update(_versions(unknown, created_at=render.started))


def cache_fragment(name: str, tags: list[tuple[str, object]], render_html) -> str:
    """Return a rendered fragment, cached under the versions of the objects it shows.

    `render_html()` renders it on a miss. The same fragment serves anonymous and signed-in
    readers, so it must hold nothing personal (no CSRF token, no "your vote").
    Outside a request (no render start to compare with) it is rendered every time.
    """
    keys = sorted({_version_key(kind, ident) for kind, ident in tags})
    render = _rendering.get()
    if render is None:
        return render_html()
    render.deps.update(keys)
    try:
        versions = _fragment_versions(render, keys)
        digest = hashlib.sha256(
            repr((name, [(k, versions[k]) for k in keys])).encode()
        ).hexdigest()[:32]
        key = f"frag:{digest}"
        html = render.kept.get(key)
        if html is None:
            html = cache.get(key)
    except CACHE_ERRORS:
        return render_html()
    if html is None:
        html = render_html()
        # Something shown changed after this request began: its data may be older.
        if all(v <= render.started for v in versions.values()):
            render.kept[key] = html
    return html


# Pieces: fragments kept under the versions they recorded while rendering ----------------
#
# A fragment's key holds the versions of what it shows, so its caller must know them all
# before looking it up. A piece is kept under a fixed key (one per object and variant)
# together with the versions of everything its render declared, nested fragments
# included, and is valid while they all stand: its caller needs to know nothing of what
# it shows, so a page can skip loading the objects of every piece still valid.


def pieces_get(keys: Mapping[object, str]) -> dict[object, dict]:
    """Return the kept pieces, among `keys` ({item: piece key}), that are still valid.

    Two cache reads for any number of pieces: the pieces, then the versions they hold.
    What a valid piece shows is declared to the page being rendered.
    """
    render = _rendering.get()
    if render is None or not keys:
        return {}
    try:
        entries = dict(cache.get_many(list(keys.values())))
        recorded = {k for entry in entries.values() for k in entry["versions"]}
        current = _versions(recorded) if recorded else {}
    except CACHE_ERRORS:
        return {}
    valid = {}
    for item, key in keys.items():
        entry = entries.get(key)
        if entry is not None and all(
            current.get(k) == v for k, v in entry["versions"].items()
        ):
            valid[item] = entry
            render.deps.update(entry["versions"])
            render.versions.update(entry["versions"])
    return valid


def piece_render(key: str | None, render_piece: Callable[[], dict]) -> dict:
    """Render a piece (`render_piece()` returns {"html": ..., and anything else to keep})
    while recording what it shows, and keep it under `key` (None: do not keep it).

    A piece that turned out to hold something of one reader's own (it says
    `"personal": True`) is returned and not kept."""
    render = _rendering.get()
    if render is None:
        return render_piece()
    outer = render.deps
    render.deps = set()
    try:
        piece = render_piece()
    finally:
        shown = render.deps
        render.deps = outer | shown
    if key is None or piece.get("personal"):
        return piece
    try:
        versions = _fragment_versions(render, sorted(shown))
        # Something shown changed after this request began: its data may be older.
        if all(v <= render.started for v in versions.values()):
            render.kept[key] = {**piece, "versions": versions}
    except CACHE_ERRORS as exc:
        logger.warning("cache unavailable, piece not kept: %s", exc)
    return piece


# The door -------------------------------------------------------------------------------

# Every stored page depends on this version too: emptying the cache (or Redis coming back
# empty) makes every page any process keeps stale at once.
EPOCH_KEY = _version_key("cache", "epoch")


class _LocalPages:
    """The pages this process served last, kept in its memory under their cache keys.

    A hit then costs one small read from the shared cache (the versions of what the page
    shows) instead of fetching the page; an entry is still served only while those
    versions stand, and never past the timeout it was stored with (counted from when it
    was stored, not from when this process fetched it).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            if found[0] < time.time():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key: str, entry: dict, timeout: int) -> None:
        with self.lock:
            self.entries[key] = (entry["modified"] + timeout, entry)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def drop(self, key: str) -> None:
        with self.lock:
            self.entries.pop(key, None)


LOCAL_PAGES = _LocalPages(size=256)


def _storable(request, response) -> bool:
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_USED")
        and vary <= STORED_VARY
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _entry(response, versions: dict[str, int]) -> dict:
    body = response.content
    content_type = response.get("Content-Type", "")
    compressed = None
    if len(body) >= COMPRESS_MIN_BYTES and COMPRESSIBLE.match(content_type):
        compressed = gzip.compress(body, compresslevel=6, mtime=0)
    return {
        "body": body,
        "gzip": compressed,
        "headers": [
            (k, v) for k, v in response.items() if k.lower() not in HEADERS_NOT_STORED
        ],
        "etag": hashlib.sha256(body).hexdigest()[:32],
        "modified": int(time.time()),
        "versions": versions,
    }


def _current(entry: dict, lag_seconds: int) -> bool:
    """Whether a stored page may still be served: nothing it shows changed, but for
    the kinds it lags (`lagged`), which may have changed for `lag_seconds` after it was
    stored. One cache read."""
    lagged = entry.get("lagged", {})
    current = _versions({**entry["versions"], **lagged})
    if any(current.get(k) != v for k, v in entry["versions"].items()):
        return False
    if lagged and time.time() - entry["modified"] > lag_seconds:
        return all(current.get(k) == v for k, v in lagged.items())
    return True


def _accepts_gzip(request) -> bool:
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        coding, _, q = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return q.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _etag_matches(header: str, etags: tuple[str, ...]) -> bool:
    if header.strip() == "*":
        return True
    sent = {t.strip().removeprefix("W/") for t in header.split(",")}
    return any(etag in sent for etag in etags)


def _etags(entry: dict) -> tuple[str, str]:
    """The ETags of a stored page: as stored, and gzipped."""
    return f'"{entry["etag"]}"', f'"{entry["etag"]}-gz"'


def _validators(entry: dict, use_gzip: bool) -> dict[str, str]:
    plain, zipped = _etags(entry)
    return {
        "ETag": zipped if use_gzip else plain,
        "Last-Modified": http_date(entry["modified"]),
        "Cache-Control": (
            f"public, max-age=0, s-maxage={S_MAXAGE}, "
            f"stale-while-revalidate={STALE_WHILE_REVALIDATE}"
        ),
    }


def _vary(response, entry: dict) -> None:
    patch_vary_headers(response, ["Cookie"])
    if entry["gzip"] is not None:
        patch_vary_headers(response, ["Accept-Encoding"])


def _full_headers(entry: dict, use_gzip: bool) -> dict[str, str]:
    """The headers of a full answer from `entry`, worked out once per entry and kept with
    it (a process answers the same entry many times)."""
    prepared = entry.setdefault("_answers", {})
    if use_gzip not in prepared:
        response = HttpResponse(entry["gzip"] if use_gzip else entry["body"])
        for name, value in entry["headers"]:
            response[name] = value
        if use_gzip:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
        for name, value in _validators(entry, use_gzip).items():
            response[name] = value
        _vary(response, entry)
        prepared[use_gzip] = dict(response.items())
    return prepared[use_gzip]


def _answer(request, entry: dict, state: str) -> HttpResponse:
    use_gzip = entry["gzip"] is not None and _accepts_gzip(request)
    meta = request.META
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        not_modified = _etag_matches(if_none_match, _etags(entry))
    elif "HTTP_IF_MODIFIED_SINCE" in meta:
        since = parse_http_date_safe(meta["HTTP_IF_MODIFIED_SINCE"])
        not_modified = since is not None and entry["modified"] <= since
    else:
        not_modified = False
    response: HttpResponse
    if not_modified:
        response = HttpResponseNotModified()
        for name, value in _validators(entry, use_gzip).items():
            response[name] = value
        _vary(response, entry)
    else:
        response = HttpResponse(
            entry["gzip"] if use_gzip else entry["body"],
            headers=_full_headers(entry, use_gzip),
        )
    response["X-Cache"] = state
    return response


class PageCacheMiddleware:
    """Answer anonymous reads of cached pages before the rest of the chain runs.

    Placed first: a hit costs a URL match (remembered per path) and one cache read, of
    the versions of what the page shows, when this process kept the page in memory
    (LOCAL_PAGES), or two (the page too) when it did not; no session, no user, no query. A miss runs the chain while recording
    what the page shows and stores it, unless something it shows changed meanwhile.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        door = _view_terms(settings.ROOT_URLCONF, request.path_info).door
        if door is not None:
            return door(request)
        planned = page_key(request)
        if planned is None:
            # Fragments of pages not cached whole (signed-in readers) still need a start.
            render = _Render()
            token = _rendering.set(render)
            try:
                return self.get_response(request)
            finally:
                _rendering.reset(token)
                _keep_rendered(render)
        key, timeout, admit_after, lags, lag_seconds = planned
        try:
            entry = LOCAL_PAGES.get(key)
            if entry is not None:
                if _current(entry, lag_seconds):
                    return _answer(request, entry, "hit")
                LOCAL_PAGES.drop(key)
            entry = cache.get(key)
            if entry is not None and _current(entry, lag_seconds):
                LOCAL_PAGES.put(key, entry, timeout)
                return _answer(request, entry, "hit")
        except CACHE_ERRORS as exc:
            logger.warning("cache unavailable, serving uncached: %s", exc)
            return self.get_response(request)
        render = _Render()
        token = _rendering.set(render)
        try:
            response = self.get_response(request)
        finally:
            _rendering.reset(token)
            _keep_rendered(render)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if not _storable(request, response):
            return response
        try:
            lagged = {k for k in render.deps if k.split(":", 2)[1] in lags}
            versions = _versions({*render.deps, EPOCH_KEY}, created_at=render.started)
            entry = _entry(
                response, {k: v for k, v in versions.items() if k not in lagged}
            )
            # A lagged kind that moved while the page rendered may show its old state:
            # kept under a version older than its own, it is stale once the lag is up.
            entry["lagged"] = {
                k: render.started - 1 if v > render.started else v
                for k, v in versions.items()
                if k in lagged
            }
            # A version newer than the start of this render: something the page shows
            # changed while it rendered, so it may show the old state; do not keep it.
            if all(v <= render.started for v in entry["versions"].values()) and (
                _admitted(key, admit_after, timeout)
            ):
                cache.set(key, entry, timeout)
                LOCAL_PAGES.put(key, entry, timeout)
        except CACHE_ERRORS as exc:
            logger.warning("cache unavailable, page not stored: %s", exc)
            return response
        return _answer(request, entry, "miss")
