"""Discovery's listeners: search-index upkeep and requester mail, both after commit."""

from summaries.models import Summary

from . import services


def summary_changed(sender, *, summary: Summary, **kwargs) -> None:
    services.queue_index_summaries(paper_ids=[summary.paper_id])


def summary_published(sender, *, summary: Summary, **kwargs) -> None:
    services.on_summary_published(summary=summary)


def summary_deleted(sender, *, instance: Summary, **kwargs) -> None:
    # Purges and admin deletions remove rows without a summary_changed signal.
    services.queue_index_summaries(paper_ids=[instance.paper_id])
