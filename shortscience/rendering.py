"""Store the rendered HTML of a row whose Markdown lives in `body`."""

from django.db import models

from . import markup
from .cache import content_changed


def render_stored(model: type[models.Model], pk: int) -> bool:
    """Render a row's Markdown and store the HTML, unless the text changed meanwhile.

    Return whether a row was written. Writing only when the body is still the one
    rendered keeps a slow render from overwriting the HTML of a newer save.
    """
    body = model.objects.filter(pk=pk).values_list("body", flat=True).first()
    if body is None:
        return False
    updated = model.objects.filter(pk=pk, body=body).update(
        body_html=markup.render(body), rendered_by=markup.RENDERER_VERSION
    )
    if updated:
        content_changed()
    return bool(updated)
