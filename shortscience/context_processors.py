from django.conf import settings


def site(request):
    """Expose the site's name and contact address to every template."""
    return {"SITE_NAME": settings.SITE_NAME, "CONTACT_EMAIL": settings.CONTACT_EMAIL}
