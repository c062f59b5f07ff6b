from django.apps import AppConfig


class ShortscienceConfig(AppConfig):
    name = "shortscience"

    def ready(self) -> None:
        from django.core import checks

        from .checks import production_checks

        checks.register(production_checks)
