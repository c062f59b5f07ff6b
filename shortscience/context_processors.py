from django.conf import settings


def site(request):
    """Expose the site's name, and whether social sign-in is on, to every template."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SOCIAL_SIGN_IN": bool(settings.SOCIALACCOUNT_PROVIDERS),
    }
