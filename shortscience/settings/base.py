"""Settings shared by every environment, each read from the environment (django-environ).

dev.py, test.py and prod.py only override. Every variable is listed in .env.example and in
the README's settings table.
"""

from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from kombu import Queue

from .social import social_apps, social_providers_from_env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file in the project folder is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)
SITE_NAME = env("SITE_NAME", default="shortscience")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Where readers write about the site and where security problems are reported; the footer
# and /.well-known/security.txt show it.
CONTACT_EMAIL = env("CONTACT_EMAIL", default="contact@localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "shortscience",
    "users",
    "papers",
    "authors",
    "summaries",
    "comments",
    "community",
    "discovery",
    "feeds",
    "lists",
    "api",
    "pages",
]

MIDDLEWARE = [
    # First: a request id for every log line, hits included (cheap, no I/O).
    "shortscience.observability.RequestIdMiddleware",
    # Next: a cached anonymous page is answered before sessions, auth or the database.
    "shortscience.cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shortscience.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "users.mfa.AdminSecondFactorMiddleware",
    "users.sessions.SessionActivityMiddleware",
    "shortscience.middleware.WriteRateLimitMiddleware",
    "shortscience.throttle.ReadRateLimitMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]
# Content Security Policy (django-csp): scripts, styles and fonts come from the site itself
# and never inline. Inline style *attributes* are allowed because KaTeX positions glyphs
# with them. Images come from the site (figures from other sites through the image proxy,
# shortscience/imageproxy/), from data: addresses (KaTeX's CSS) and from the storage that
# holds uploads when it is not the site (MEDIA_ORIGINS, added below).
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": "/csp-report/",
    },
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
}
# A form posted without a valid CSRF token gets a page that says what happened.
CSRF_FAILURE_VIEW = "pages.views.csrf_failure"

ROOT_URLCONF = "shortscience.urls"
WSGI_APPLICATION = "shortscience.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shortscience.context_processors.site",
                "community.context_processors.notifications",
            ],
        },
    },
]

# Databases: a SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Without CACHE_URL the cache is a folder of files in the project (.cache/, ignored by git):
# every process on the machine shares it, so a write from a worker, `manage.py shell`,
# `import_papers` or `rerender` moves the content generation the web process reads and no
# page is served stale (a per-process local-memory cache would keep it for minutes).
EMBEDDED_CACHE_URL = f"filecache://{BASE_DIR / '.cache'}"
CACHES = {"default": env.cache("CACHE_URL", default=EMBEDDED_CACHE_URL)}
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    # One file per cached page; Django's default of 300 would cull after a few pages.
    CACHES["default"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = 10_000
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # django-redis, told to swallow connection errors: with Redis down, pages are served
    # uncached and rate limits let requests through instead of the site failing.
    CACHES["default"] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": CACHES["default"]["LOCATION"],
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
# With Redis, each process keeps the versions of what cached pages show in memory and Redis
# announces every change to them (CLIENT TRACKING): a cache hit needs no round trip.
# Off: every hit reads the versions from Redis.
CACHE_TRACK_VERSIONS = env.bool("CACHE_TRACK_VERSIONS", default=True)

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_ADAPTER = "users.adapters.AccountAdapter"
# "mandatory": no sign-in until the address is confirmed; "optional" or "none" for demos.
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
# Following the link in the confirmation mail (from the browser that signed up) signs in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Mail the user when their password or e-mail addresses change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https:") else "http"
# A field people never see; a bot that fills it in gets "check your mail" and no account.
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "homepage"
# allauth's defaults for every action, with failed sign-ins spelled out: after 5 failures
# for one account in 5 minutes (or 10 a minute from one address) sign-in is locked out.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Social sign-in (ORCID, GitHub, Google) switches on when a provider's id and secret are set;
# its tables exist either way, and a provider without credentials has no URLs at all.
SOCIALACCOUNT_PROVIDERS = social_providers_from_env(env.ENVIRON)
INSTALLED_APPS += social_apps(SOCIALACCOUNT_PROVIDERS)
SOCIALACCOUNT_ADAPTER = "users.adapters.SocialAccountAdapter"
if SOCIALACCOUNT_PROVIDERS:
    # Sign-in forms post on to the providers' own pages.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += [
        {
            "orcid": "https://orcid.org",
            "github": "https://github.com",
            "google": "https://accounts.google.com",
        }[name]
        for name in SOCIALACCOUNT_PROVIDERS
    ]

# Second factors (allauth.mfa, /accounts/2fa/): an authenticator app (TOTP), passkeys and
# security keys (WebAuthn) and recovery codes; optional for everyone, required of staff and
# moderators before any moderation or admin page (users/mfa.py).
# https://docs.allauth.org/en/latest/mfa/configuration.html
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
# Browsers allow WebAuthn on http only for localhost; this lets a dev site on http use it.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not SITE_URL.startswith("https:")
# Reading limits per client (shortscience/throttle.py): 429 with Retry-After past the rate.
# "queries" counts anonymous requests with a query string on those pages (each distinct
# one misses the page cache). Anonymous readers see list pages up to ANONYMOUS_MAX_PAGE.
READ_RATE_LIMITS = {
    "search": env("READ_RATE_LIMIT_SEARCH", default="30/m"),
    "feeds": env("READ_RATE_LIMIT_FEEDS", default="60/m"),
    "lists": env("READ_RATE_LIMIT_LISTS", default="120/m"),
    "queries": env("READ_RATE_LIMIT_QUERIES", default="60/m"),
}
READ_RATE_LIMITED_VIEWS = {
    "search": ["discovery:search"],
    "feeds": ["feeds:*"],
    "lists": [
        ":home",
        ":user-detail",
        "papers:venue-list",
        "papers:venue-detail",
        "papers:venue-year",
        "papers:year-list",
        "papers:year-detail",
        "papers:keyword-detail",
        "discovery:wanted",
        "users:user-list",
    ],
}
ANONYMOUS_MAX_PAGE = env.int("ANONYMOUS_MAX_PAGE", default=50)
# Seconds robots.txt asks crawlers to wait between requests.
ROBOTS_CRAWL_DELAY = env.int("ROBOTS_CRAWL_DELAY", default=5)
# Probation (users/probation.py): an account with no reputation may put at most
# PROBATION_MAX_LINKS links and no image from another site in each of its first
# PROBATION_POSTS posts; "refuse" says what to change, "hold" saves the post hidden in the
# moderation queue. A spam report from a user with at least TRUSTED_REPORTER_REPUTATION
# (or a moderator) hides the post at once, pending review.
PROBATION_POSTS = env.int("PROBATION_POSTS", default=3)
PROBATION_MAX_LINKS = env.int("PROBATION_MAX_LINKS", default=2)
PROBATION_MODE = env("PROBATION_MODE", default="refuse")
TRUSTED_REPORTER_REPUTATION = env.int("TRUSTED_REPORTER_REPUTATION", default=50)
# Signed-in sessions (/settings/sessions/): each keeps its address and last-seen time
# (users.sessions.SessionActivityMiddleware refreshes them every five minutes at most).
USERSESSIONS_TRACK_ACTIVITY = True
# Sessions live in the database and are read through the cache: a signed-in page costs no
# session query, and with the cache down the database still answers.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
MFA_REQUIRED_FOR_MODERATORS = env.bool("MFA_REQUIRED_FOR_MODERATORS", default=True)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# KaTeX's CSS and fonts are served by the site from the npm package, never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/katex", BASE_DIR / "node_modules" / "katex" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded images go to S3-compatible storage when a bucket is named (django-storages),
# else to MEDIA_ROOT, which the site serves itself.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }


# Where uploads are served from when that is not the site itself (an S3 bucket, its custom
# domain or a CDN in front): the CSP lets images load from there, and the image proxy leaves
# images there as they are. Derived from MEDIA_URL and the bucket settings; MEDIA_ORIGINS
# (comma-separated origins such as https://cdn.example.org) adds more.
def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else ""


MEDIA_ORIGINS: list[str] = env.list("MEDIA_ORIGINS", default=[])
if MEDIA_URL.startswith(("http://", "https://")):
    MEDIA_ORIGINS.append(_origin(MEDIA_URL))
if AWS_STORAGE_BUCKET_NAME:
    _s3 = STORAGES["default"]["OPTIONS"]
    if _s3["custom_domain"]:
        MEDIA_ORIGINS.append(f"https://{_s3['custom_domain']}")
    elif _s3["endpoint_url"]:
        _endpoint = _origin(_s3["endpoint_url"])
        MEDIA_ORIGINS.append(_endpoint)  # path-style addresses
        _scheme, _, _host = _endpoint.partition("://")
        MEDIA_ORIGINS.append(f"{_scheme}://{AWS_STORAGE_BUCKET_NAME}.{_host}")
    else:
        MEDIA_ORIGINS.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com")
        if _s3["region_name"]:
            MEDIA_ORIGINS.append(
                f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_s3['region_name']}.amazonaws.com"
            )
MEDIA_ORIGINS = list(dict.fromkeys(o.rstrip("/") for o in MEDIA_ORIGINS if o))
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += MEDIA_ORIGINS

# --- The image proxy (shortscience/imageproxy/) ------------------------------------------
# Images from other sites in summaries and comments load from /img/<signature>/<address>:
# signed with IMAGE_PROXY_KEY (empty: a key derived from DJANGO_SECRET_KEY), fetched once by
# a worker (queue "images") and kept in the default storage.
IMAGE_PROXY_KEY = env("IMAGE_PROXY_KEY", default="")
# Earlier keys whose addresses still work until `manage.py rerender --all` has re-signed
# every page (with IMAGE_PROXY_KEY unset: Django's SECRET_KEY_FALLBACKS).
IMAGE_PROXY_KEY_FALLBACKS = env.list("IMAGE_PROXY_KEY_FALLBACKS", default=[])
# Largest image fetched, in bytes, counted while it downloads.
IMAGE_PROXY_MAX_BYTES = env.int("IMAGE_PROXY_MAX_BYTES", default=5 * 1024 * 1024)
# Seconds one fetch may take, redirects and download included.
IMAGE_PROXY_TIMEOUT = env.float("IMAGE_PROXY_TIMEOUT", default=15.0)
# Ports an image may be fetched from (http and https only, whatever the port).
IMAGE_PROXY_ALLOWED_PORTS = env.list(
    "IMAGE_PROXY_ALLOWED_PORTS", cast=int, default=[80, 443]
)
# Networks the proxy may fetch from although they are not public (CIDR, comma-separated).
# Empty in production: loopback, private, link-local and the rest are refused. The tests
# name their local servers here; cloud metadata addresses are refused even when named.
IMAGE_PROXY_ALLOW_NETWORKS = env.list("IMAGE_PROXY_ALLOW_NETWORKS", default=[])
# New image addresses one client may have the proxy fetch, per period.
IMAGE_PROXY_NEW_RATE = env("IMAGE_PROXY_NEW_RATE", default="60/m")

# Mail: console by default; EMAIL_URL such as smtp://user:pass@host:587 switches to SMTP.
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="shortscience <noreply@localhost>"
)

# Celery. https://docs.celeryq.dev/en/stable/userguide/configuration.html
# With no broker configured, tasks run in-process (task_always_eager), so one code path
# serves the embedded default and a real worker pool.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, imports and title searches run in a thread of the web process so
# that the page answers at once and updates itself (shortscience/queue.py).
TASKS_EAGER_IN_THREAD = env.bool("TASKS_EAGER_IN_THREAD", default=True)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-reject-on-worker-lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-prefetch-multiplier
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-serializer
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-retry-on-startup
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish to a dead broker must fail fast so the request can fall back to running in-process.
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
# A task whose worker died unacknowledged is delivered again after the visibility timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
}
# With the cache (Redis) down, rate limits let requests through instead of failing them.
RATELIMIT_FAIL_OPEN = True
# Every "ip" rate-limit key asks the one function that knows the client's address.
RATELIMIT_IP_META_KEY = "shortscience.clientip.client_ip"
# Seconds a preview may render before the editor shows "takes too long to preview".
PREVIEW_RENDER_TIMEOUT = env.float("PREVIEW_RENDER_TIMEOUT", default=0.3)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#beat-schedule
CELERY_BEAT_SCHEDULE = {
    # Every hour: re-render summaries and comments whose HTML came from an older renderer.
    "every-hour-rerender-stale": {
        "task": "shortscience.tasks.rerender_stale",
        "schedule": crontab(minute=17),
        "args": ("summaries.Summary",),
    },
    "every-hour-rerender-stale-comments": {
        "task": "shortscience.tasks.rerender_stale",
        "schedule": crontab(minute=47),
        "args": ("comments.Comment",),
    },
    "every-hour-rerender-stale-author-responses": {
        "task": "shortscience.tasks.rerender_stale",
        "schedule": crontab(minute=52),
        "args": ("summaries.AuthorResponse",),
    },
    # Every day at 03:10 UTC: remove summaries deleted more than 30 days ago.
    "every-day-purge-deleted-summaries": {
        "task": "summaries.tasks.purge_deleted_summaries",
        "schedule": crontab(hour=3, minute=10),
    },
    # Every 5 minutes: notify and mail for recent comments whose notify task was lost (a
    # broker restarted empty); notifications already mailed are never mailed again.
    "every-5-minutes-send-pending-notifications": {
        "task": "community.tasks.send_pending_notifications",
        "schedule": crontab(minute="*/5"),
    },
    # Every 10 minutes: queue again imports that a dead worker or lost message left behind.
    "every-10-minutes-requeue-stalled-imports": {
        "task": "papers.tasks.requeue_stalled_imports",
        "schedule": crontab(minute="*/10"),
    },
    # Every day at 04:30 UTC: re-read summarised arXiv papers and record new versions.
    "every-day-refresh-arxiv-versions": {
        "task": "papers.tasks.refresh_arxiv_versions",
        "schedule": crontab(hour=4, minute=30),
    },
    # Every day at 06:10 UTC (after arXiv's nightly announcement): harvest new and
    # updated papers of ARXIV_HARVEST_CATEGORIES over OAI-PMH.
    "every-day-harvest-arxiv": {
        "task": "papers.tasks.harvest_arxiv",
        "schedule": crontab(hour=6, minute=10),
    },
    # Every hour: recount each venue's coverage counts (the writes recount what they
    # change; this takes in papers and summaries written around the services).
    "every-hour-recount-venues": {
        "task": "papers.tasks.recount_venues",
        "schedule": crontab(minute=37),
    },
    # Every day at 05:20 UTC: re-read the configured venues' lists on dblp
    # (DBLP_SYNC_VENUES, this year and last) and log what changed.
    "every-day-sync-venues": {
        "task": "papers.tasks.sync_venues",
        "schedule": crontab(hour=5, minute=20),
    },
    # Every day at 02:40 UTC: write the public data dump (all public summaries, JSON
    # Lines, gzip) to storage under dumps/, served at /dumps/latest.jsonl.gz.
    "every-day-write-public-dump": {
        "task": "feeds.tasks.write_public_dump",
        "schedule": crontab(hour=2, minute=40),
    },
    # Every Monday at 07:00 UTC: e-mail last week's best summaries to digest subscribers
    # (once per user and week, even when the task runs again).
    "every-monday-send-weekly-digest": {
        "task": "feeds.tasks.send_weekly_digest",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
}

# Outside services. Each sits behind a base URL so tests can point it at a local server.
ARXIV_API_URL = env("ARXIV_API_URL", default="https://export.arxiv.org/api/query")
BIBSONOMY_API_URL = env("BIBSONOMY_API_URL", default="https://www.bibsonomy.org/api")
BIBSONOMY_USER = env("BIBSONOMY_USER", default="")
BIBSONOMY_API_KEY = env("BIBSONOMY_API_KEY", default="")
CROSSREF_API_URL = env("CROSSREF_API_URL", default="https://api.crossref.org")
# ORCID's public API: the works on a researcher's record, to confirm authorship claims.
ORCID_API_URL = env("ORCID_API_URL", default="https://pub.orcid.org/v3.0")
# arXiv asks for at most one request every 3 seconds.
ARXIV_MIN_INTERVAL = env.float("ARXIV_MIN_INTERVAL", default=3.0)
# arXiv's OAI-PMH interface, harvested daily for new papers in ARXIV_HARVEST_CATEGORIES
# (comma-separated; each archive, the part before the dot, is one OAI set).
ARXIV_OAI_URL = env("ARXIV_OAI_URL", default="https://oaipmh.arxiv.org/oai")
ARXIV_HARVEST_CATEGORIES = env.list(
    "ARXIV_HARVEST_CATEGORIES", default=["cs.LG", "cs.CL", "stat.ML"]
)
# dblp's publication search API; one request a second at most keeps clear of its 429s.
DBLP_API_URL = env("DBLP_API_URL", default="https://dblp.org/search/publ/api")
DBLP_MIN_INTERVAL = env.float("DBLP_MIN_INTERVAL", default=1.0)
# Venues kept in sync with dblp by the periodic job (dblp keys, comma-separated); the
# job re-reads this year and the last for each.
DBLP_SYNC_VENUES = env.list(
    "DBLP_SYNC_VENUES", default=["conf/nips", "conf/icml", "conf/iclr"]
)
# OpenReview: API 2 for venues from about 2023 on, API 1 for older years (ICLR 2018-2023,
# NeurIPS 2021-2022); one request a second at most.
OPENREVIEW_API_URL = env("OPENREVIEW_API_URL", default="https://api2.openreview.net")
OPENREVIEW_API_V1_URL = env(
    "OPENREVIEW_API_V1_URL", default="https://api.openreview.net"
)
OPENREVIEW_MIN_INTERVAL = env.float("OPENREVIEW_MIN_INTERVAL", default=1.0)
# Venues kept in sync with OpenReview by the periodic job (venue slugs, comma-separated;
# each venue's OpenReview id is set in the admin); this year and last are re-read.
OPENREVIEW_SYNC_VENUES = env.list(
    "OPENREVIEW_SYNC_VENUES", default=["iclr", "neurips", "tmlr"]
)
HTTP_TIMEOUT = env.float("HTTP_TIMEOUT", default=20.0)
# First delay (seconds) before an import whose source was unavailable is tried again; it
# doubles on every retry, up to 60 times this (10 s -> at most 10 minutes between tries).
IMPORT_RETRY_BASE_SECONDS = env.float("IMPORT_RETRY_BASE_SECONDS", default=10.0)
HTTP_USER_AGENT = env(
    "HTTP_USER_AGENT", default=f"{SITE_NAME}/0.1 (+{SITE_URL}; paper summaries)"
)

# Logging: see "Seeing it run" below.

# JSON API (api app): requests per client and period ("60/m", "1000/h"), counted in the
# cache; by API token when the request sends one, else by the client's address
# (shortscience.clientip).
API_RATE_LIMIT_ANONYMOUS = env("API_RATE_LIMIT_ANONYMOUS", default="60/m")
API_RATE_LIMIT_TOKEN = env("API_RATE_LIMIT_TOKEN", default="600/m")

# Discovery (search, wanted queue, following). django.contrib.postgres provides the
# trigram lookups that typo-tolerant search uses; on SQLite it stays idle.
INSTALLED_APPS += ["django.contrib.postgres"]
CELERY_BEAT_SCHEDULE |= {
    # Every 15 minutes: re-index papers whose summary scores (votes send no signal),
    # counts or request counts drifted from the summaries and requests tables.
    "every-15-minutes-refresh-discovery-index": {
        "task": "discovery.tasks.refresh_index",
        "schedule": crontab(minute="*/15"),
    },
}

# --- The client's address (shortscience/clientip.py) --------------------------------------
# Who may tell the app the client's address in X-Forwarded-For: the proxies' networks
# (preferred: a client reaching the app directly cannot forge it), or how many proxies
# stand in front. Neither: REMOTE_ADDR, and the header is ignored. Every rate limit, the
# sign-in lockout and the logs use it.
TRUSTED_PROXY_NETWORKS = env.list("TRUSTED_PROXY_NETWORKS", default=[])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Celery queues (docker-compose.yml runs a worker per queue) ---------------------------
# A slow import never waits in line with rendering or mail. Routes go by task name, and a
# module pattern covers tasks added there later; the first matching pattern wins. Anything
# unrouted goes to "celery". A worker started without -Q (make worker, the tests) consumes
# every queue listed here.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(name) for name in ("celery", "imports", "rendering", "mail", "images")
]
CELERY_TASK_ROUTES = {
    # The image proxy's fetches wait on other sites: never in line with rendering.
    "shortscience.tasks.fetch_proxied_image": {"queue": "images"},
    # Mail first: these names sit in modules that are otherwise routed elsewhere.
    "discovery.tasks.notify_summary_requesters": {"queue": "mail"},
    "feeds.tasks.send_weekly_digest": {"queue": "mail"},
    "community.tasks.*": {"queue": "mail"},
    "papers.tasks.*": {"queue": "imports"},
    "shortscience.tasks.*": {"queue": "rendering"},
    "summaries.tasks.*": {"queue": "rendering"},
    "comments.tasks.*": {"queue": "rendering"},
    "discovery.tasks.*": {"queue": "rendering"},
}
# Beat holds a lock in Redis while it runs (shortscience/beatlock.py): a second beat waits
# and takes over only when the first is gone (its lock expires BEAT_LOCK_TTL seconds later).
BEAT_LOCK_URL = env("BEAT_LOCK_URL", default="")  # empty: the broker's Redis
BEAT_LOCK_TTL = env.int("BEAT_LOCK_TTL", default=60)

# --- Seeing it run (shortscience/observability.py) ----------------------------------------
# Log lines carry the request id (X-Request-ID), in tasks too; LOG_FORMAT=json writes one
# JSON object per line (the default in production), "text" a readable line.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "shortscience.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "shortscience.observability.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # One line per request comes from the request-id middleware; at INFO only with JSON.
    "loggers": {
        "shortscience.request": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"}
    },
}
# /metrics (Prometheus): open to a bearer of METRICS_TOKEN ("Authorization: Bearer ...")
# or to clients in METRICS_ALLOWED_NETWORKS; 404 for anybody else (and for all when unset).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
# Error reports go to Sentry when SENTRY_DSN is set, and nowhere otherwise.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

# --- Read replicas and pgbouncer (shortscience/dbrouter.py) -------------------------------
# DATABASE_REPLICA_URLS: zero or more postgres:// URLs, separated by commas. Safe requests
# read from a healthy replica; writes, tasks and commands use the primary; a writer's reads
# stay on the primary for READ_YOUR_WRITES_SECONDS. A replica that fails or lags more than
# REPLICA_MAX_LAG_SECONDS is left out for REPLICA_CHECK_SECONDS.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
DATABASE_REPLICAS: list[str] = []
for _n, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = env.db_url_config(_url)
    _replica.update(
        ATOMIC_REQUESTS=False,
        CONN_MAX_AGE=DATABASES["default"].get("CONN_MAX_AGE", 0),
        CONN_HEALTH_CHECKS=True,
        TEST={"MIRROR": "default"},
    )
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES[f"replica{_n}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_n}")
DATABASE_ROUTERS = ["shortscience.dbrouter.PrimaryReplicaRouter"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("shortscience.middleware.DatabaseUnavailableMiddleware") + 1,
    "shortscience.dbrouter.ReplicaMiddleware",
)
READ_YOUR_WRITES_SECONDS = env.int("READ_YOUR_WRITES_SECONDS", default=15)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)
# Behind pgbouncer in transaction mode a cursor cannot outlive its transaction's server
# connection: DATABASE_PGBOUNCER=true turns server-side cursors off on every database.
DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
for _db in DATABASES.values():
    if DATABASE_PGBOUNCER and _db["ENGINE"].endswith("postgresql"):
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
