"""Test settings: only what makes the suite fast and hermetic, each with its reason."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

# Fast hashing: password strength is not under test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test database is thrown away after the run, so its commits need not wait for the disk:
# on Postgres each connection skips the WAL flush at commit. Data is still committed and
# seen by every other connection at once (live server, workers, subprocesses); only a
# crash of the server could lose the last moments, which a test database can afford.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (
        _options.get("options", "") + " -c synchronous_commit=off"
    ).strip()
# Mail is captured in django.core.mail.outbox.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The cache is local memory unless CACHE_URL names one (CI points it at Redis); every test
# starts with it emptied (tests/conftest.py). Faster than the embedded default's files;
# the tests of writes from other processes set up a file cache of their own.
if not env("CACHE_URL", default=""):
    # Room for a busy page's pieces and versions: at the default 300 entries local
    # memory drops a third of them at random, as Redis never does.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# No politeness delay against the local replay server.
ARXIV_MIN_INTERVAL = 0.0
DBLP_MIN_INTERVAL = 0.0
HTTP_TIMEOUT = 5.0
# Celery is left as base.py sets it: without a broker, tasks run in-process after commit
# and a failing task is logged, not raised, as in every deployment without one. With a
# broker (CI), tests/conftest.py runs tasks the same way for every test not marked
# `worker`; those run a real Celery worker.
# Previews are not cut off by a loaded test machine; the tests of the limit set it.
PREVIEW_RENDER_TIMEOUT = 30.0
# Tasks a page waits for run after commit in the test's own thread, not a new one.
TASKS_EAGER_IN_THREAD = False
# Uploads land in a throwaway folder.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="shortscience-media-"))
