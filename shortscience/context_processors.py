from django.conf import settings


def site(request):
    """Expose the site's name, contact address and whether social sign-in is on."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "SOCIAL_SIGN_IN": bool(settings.SOCIALACCOUNT_PROVIDERS),
    }
