"""Rendering tasks shared by every model that stores rendered Markdown.

Models are named by their label ("summaries.Summary", "comments.Comment"), so the
messages stay JSON.
"""

from celery import shared_task

from .imageproxy.services import proxied_image_fetch
from .rendering import render_stored, rendered_model, rerender_stale_rows


@shared_task
def render_row(model_label: str, pk: int) -> bool:
    """Render one row's Markdown into its stored HTML."""
    return render_stored(rendered_model(model_label), pk)


@shared_task
def rerender_stale(model_label: str) -> int:
    """Re-render every row of a model whose HTML came from another renderer version."""
    return rerender_stale_rows(rendered_model(model_label))


@shared_task
def fetch_proxied_image(image_id: int) -> None:
    """Fetch and store one image shown through the image proxy."""
    proxied_image_fetch(image_id=image_id)
