import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.prod")
application = get_wsgi_application()

# gunicorn runs no system checks: production's own run here, before the first request.
from shortscience.checks import refuse_to_start_unless_configured  # noqa: E402

refuse_to_start_unless_configured()
