import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "shortscience.settings.prod",
    "DJANGO_SECRET_KEY": "x" * 30 + "-a-long-and-random-production-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "shortscience.example.org",
    "DATABASE_URL": "postgres://shortscience@db.example.org:5432/shortscience",
    "CACHE_URL": "redis://redis.example.org:6379/1",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "SITE_URL": "https://shortscience.example.org",
}
UNSET = ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "SITE_URL")


def production(*args, **env):
    """Run manage.py with production settings: PRODUCTION_ENV, then env (None unsets)."""
    environ = {k: v for k, v in os.environ.items() if k not in UNSET}
    environ = {k: v for k, v in environ.items() if not k.startswith("DJANGO_")}
    environ.update(PRODUCTION_ENV)
    environ.update(env)
    environ = {k: v for k, v in environ.items() if v is not None}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    # The checks only read the settings: nothing connects to the example hosts.
    result = production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SETTINGS_MODULE="shortscience.settings.prod")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_pages_send_the_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("unset", "check_id"),
    [
        ({"DATABASE_URL": None}, "shortscience.E001"),
        ({"DATABASE_URL": "sqlite:////tmp/prod.sqlite3"}, "shortscience.E001"),
        ({"CACHE_URL": None}, "shortscience.E002"),
        ({"CACHE_URL": "locmemcache://"}, "shortscience.E002"),
        ({"CELERY_BROKER_URL": None}, "shortscience.E003"),
        ({"SITE_URL": None}, "shortscience.E004"),
        ({"SITE_URL": "example.org"}, "shortscience.E004"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "shortscience.E005"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "shortscience.E005"),
        ({"IMAGE_PROXY_ALLOW_NETWORKS": "127.0.0.0/8"}, "shortscience.E007"),
    ],
)
def test_production_check_names_the_missing_setting(unset, check_id):
    result = production("manage.py", "check", **unset)
    assert result.returncode != 0
    assert check_id in result.stderr
    setting = next(iter(unset))
    assert setting in result.stderr
    # Only the one missing service is reported.
    assert result.stderr.count("shortscience.E0") == 1, result.stderr


def test_production_check_lists_every_missing_service_at_once():
    result = production("manage.py", "check", **dict.fromkeys(UNSET))
    assert result.returncode != 0
    for n in range(1, 5):
        assert f"shortscience.E00{n}" in result.stderr


def test_gunicorn_refuses_to_load_the_app_without_a_database():
    # gunicorn runs no system checks; importing the WSGI module does.
    result = production("-c", "import shortscience.wsgi", DATABASE_URL=None)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "shortscience.E001: DATABASE_URL" in result.stderr


def test_gunicorn_loads_the_app_when_production_is_configured():
    result = production("-c", "import shortscience.wsgi; print('loaded')")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loaded"


def test_production_checks_stay_off_outside_production():
    result = production(
        "manage.py",
        "check",
        DJANGO_SETTINGS_MODULE="shortscience.settings.dev",
        **dict.fromkeys(UNSET),
    )
    assert result.returncode == 0, result.stderr
    assert "shortscience.E0" not in result.stderr
