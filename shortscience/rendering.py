"""Store the rendered HTML of rows whose Markdown lives in `body`.

Summaries and comments both keep `body`, `body_html` and `rendered_by`, and their
querysets have `stale(version)`; the functions here serve any such model. A model
with `excerpt_html` and `plain_text` (summaries) gets those filled by the same render.
"""

from django.apps import apps
from django.db import models

from . import markup
from .cache import cache_touch
from .imageproxy.services import proxied_images_prefetch

RENDERED_FIELDS = {"body", "body_html", "rendered_by"}


def rendered_model(label: str) -> type[models.Model]:
    """Return the model named "app_label.ModelName" if it stores rendered Markdown."""
    model = apps.get_model(label)
    if not {f.name for f in model._meta.get_fields()} >= RENDERED_FIELDS:
        raise ValueError(f"{label} does not store rendered Markdown")
    return model


def render_stored(model: type[models.Model], pk: int) -> bool:
    """Render a row's Markdown and store the HTML, unless the text changed meanwhile.

    Return whether a row was written. Writing only when the body is still the one
    rendered keeps a slow render from overwriting the HTML of a newer save.
    """
    body = model._default_manager.filter(pk=pk).values_list("body", flat=True).first()
    if body is None:
        return False
    values = {"rendered_by": markup.RENDERER_VERSION}
    # Models that list their rows (summaries) keep an excerpt and a plain text too.
    if {"excerpt_html", "plain_text"} <= {f.name for f in model._meta.get_fields()}:
        rendered = markup.render_document(body)
        values["body_html"] = rendered.html
        values["excerpt_html"] = rendered.excerpt_html
        values["plain_text"] = rendered.plain_text
    else:
        values["body_html"] = markup.render(body)
    updated = model._default_manager.filter(pk=pk, body=body).update(**values)
    if updated:
        # Pages showing the row depend on it as "<model name>" ("summary", "comment");
        # lists that show only its excerpt as "<model name>-excerpt", which comments
        # and votes, touching "summary", leave alone.
        name = model._meta.model_name or ""
        cache_touch(name, pk)
        if "excerpt_html" in values:
            cache_touch(f"{name}-excerpt", pk)
        # Fetch its images from other sites now, so that readers find them stored.
        proxied_images_prefetch(html=values["body_html"])
    return bool(updated)


def rerender_stale_rows(model: type[models.Model]) -> int:
    """Re-render every row whose HTML came from another renderer version; return how many."""
    ids = model._default_manager.exclude(
        rendered_by=markup.RENDERER_VERSION
    ).values_list("pk", flat=True)
    count = 0
    for pk in ids.iterator():
        count += render_stored(model, pk)
    return count
