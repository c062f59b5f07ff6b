"""The fault scripts (benchmarks/faults/) with their short defaults, on the real services.

Each script makes its own throwaway database and Redis databases, runs gunicorn and Celery
workers as subprocesses, injects its fault (arXiv down, a worker killed, Redis stopped,
Postgres restarted) and exits non-zero if anything was lost. Stopped services are always
started again. Skipped unless DATABASE_URL and CELERY_BROKER_URL point at Postgres and Redis
(CI sets both, with REQUIRE_SERVICES=1, which turns a skip into a failure).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.worker

RUN_ALL = (
    Path(__file__).resolve().parent.parent / "benchmarks" / "faults" / "run_all.py"
)


@pytest.fixture
def services():
    if str(RUN_ALL.parent) not in sys.path:
        sys.path.insert(0, str(RUN_ALL.parent))
    from harness import missing_services

    reasons = []
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        reasons.append("CELERY_BROKER_URL does not point at Redis")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        reasons.append("DATABASE_URL does not point at Postgres")
    reasons += [f"{name} does not answer" for name in missing_services()]
    if reasons:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("; ".join(reasons))
        pytest.skip("; ".join(reasons))
    yield
    # Redis and Postgres may have restarted under this process: drop its old connections.
    from django.core.cache import cache
    from django.db import connections

    connections.close_all()
    cache.close()


@pytest.mark.parametrize(
    "script", ["arxiv_outage", "worker_kill", "redis_down", "postgres_restart"]
)
def test_fault(services, script):
    result = subprocess.run(
        [sys.executable, str(RUN_ALL), "--only", script],
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
