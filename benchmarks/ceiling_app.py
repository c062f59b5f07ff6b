"""The bare-Django ceiling: one view, no middleware, no database, no template.

    CEILING_BYTES=105000 gunicorn --chdir benchmarks ceiling_app:application

Answers every path with a page of CEILING_BYTES bytes (default 105,000, the size of a
busy paper page), so that benchmarks/load.py can report each of the site's pages as a
share of what Django itself reaches under the same gunicorn on the same machine.
"""

import os

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import re_path

PAGE = (b"<!DOCTYPE html><p>" + b"x" * int(os.environ.get("CEILING_BYTES", "105000")))[
    : int(os.environ.get("CEILING_BYTES", "105000"))
]


def page(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"", page)]

settings.configure(
    DEBUG=False,
    SECRET_KEY="ceiling-only",  # noqa: S106 (serves one constant page)
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)
django.setup()
application = get_wsgi_application()
