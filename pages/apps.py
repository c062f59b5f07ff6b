from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The pages that bring several apps together; it sits above every other app."""

    name = "pages"
