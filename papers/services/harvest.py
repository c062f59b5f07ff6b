"""New arXiv papers by themselves: the daily OAI-PMH harvest of the configured categories.

Each arXiv archive ("cs" for cs.LG and cs.CL) is one OAI set, harvested from the day the
last complete harvest reached. The state is saved after every page (ArxivHarvest), so a
harvest that dies mid-list carries on from its resumption token on the next run. Papers
of the configured categories are written through papers_upsert; papers here that have
summaries and show a new version date are re-read from the arXiv API, which names the
version, so summaries written on an older version are flagged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from ..models import ArxivHarvest, Paper
from ..sources.arxiv import ArxivClient, ArxivRecord
from ..sources.clients import arxiv_client, oai_client
from ..sources.http import PermanentSourceError, SourceError
from ..sources.oaipmh import OaiClient, OaiPage, OaiRecord
from .merge import papers_upsert
from .records import data_from_arxiv, data_from_oai

logger = logging.getLogger(__name__)


@dataclass
class HarvestReport:
    set_spec: str
    pages: int = 0
    seen: int = 0  # records arXiv listed
    kept: int = 0  # records in a configured category
    created: int = 0  # papers new to the site
    new_versions: int = 0  # summarised papers that moved to a newer version
    complete: bool = False
    error: str = ""

    def summary(self) -> str:
        text = (
            f"arXiv {self.set_spec}: {self.pages} pages, {self.seen} records, "
            f"{self.kept} in the configured categories, {self.created} new papers, "
            f"{self.new_versions} new versions of summarised papers"
        )
        if self.error:
            text += f"; stopped: {self.error} (the next run resumes)"
        return text


def _wanted(record: OaiRecord, categories: set[str]) -> bool:
    return not record.deleted and any(
        c in categories or c.split(".")[0] in categories for c in record.categories
    )


def _refresh_versions(ids: list[str], arxiv: ArxivClient) -> int:
    """Re-read these papers from the arXiv API; return how many gained a version."""
    before = dict(
        Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "arxiv_version")
    )
    records = [
        outcome
        for outcome in arxiv.fetch(ids).values()
        if isinstance(outcome, ArxivRecord)
    ]
    if not records:
        return 0
    papers_upsert([data_from_arxiv(record) for record in records])
    Paper.objects.filter(arxiv_id__in=ids).update(arxiv_checked_at=timezone.now())
    return sum(
        (record.version or 0) > (before.get(record.arxiv_id) or 0) for record in records
    )


def _store(
    page: OaiPage,
    categories: set[str],
    arxiv: ArxivClient | None,
    report: HarvestReport,
) -> None:
    records = [r for r in page.records if _wanted(r, categories)]
    report.seen += len(page.records)
    report.kept += len(records)
    if not records:
        return
    updated = {r.arxiv_id: r.updated for r in records if r.updated is not None}
    # Summarised papers whose arXiv entry changed after they were last read.
    checked = (
        Paper.objects.filter(arxiv_id__in=updated, summaries__status="published")
        .distinct()
        .values_list("arxiv_id", "arxiv_checked_at")
    )
    pinned = [
        arxiv_id
        for arxiv_id, checked_at in checked
        if checked_at is None or checked_at.date() <= updated[arxiv_id]
    ]
    results = papers_upsert([data_from_oai(r) for r in records])
    report.created += sum(created for _, created in results)
    if pinned:
        report.new_versions += _refresh_versions(pinned, arxiv or arxiv_client())


def _harvest_set(
    set_spec: str,
    categories: set[str],
    *,
    client: OaiClient,
    arxiv: ArxivClient | None,
    today: date,
) -> HarvestReport:
    report = HarvestReport(set_spec=set_spec)
    state, _ = ArxivHarvest.objects.get_or_create(set_spec=set_spec)
    if not state.resumption_token:
        state.from_date = state.harvested_until or today - timedelta(days=1)
        state.until = today
        state.pages = 0
        state.save()
    while True:
        token = state.resumption_token or None
        try:
            page = client.list_records(
                set_spec=set_spec,
                from_date=state.from_date,
                until=state.until,
                token=token,
            )
        except PermanentSourceError as exc:
            if token is None:
                return _stop(state, report, exc)
            # An expired token: start the same date range again from its first page.
            logger.warning("arXiv refused the resumption token %s: %s", token, exc)
            state.resumption_token = ""  # nosec B105
            state.pages = 0
            state.save()
            continue
        except SourceError as exc:
            return _stop(state, report, exc)
        _store(page, categories, arxiv, report)
        report.pages += 1
        state.pages += 1
        state.last_error = ""
        state.resumption_token = page.resumption_token or ""
        if page.resumption_token is None:
            state.harvested_until = state.until
            report.complete = True
        state.save()
        if report.complete:
            return report


def _stop(
    state: ArxivHarvest, report: HarvestReport, exc: SourceError
) -> HarvestReport:
    state.last_error = exc.message
    state.save(update_fields=["last_error", "updated_at"])
    report.error = exc.message
    return report


def arxiv_harvest(
    *,
    categories: list[str],
    client: OaiClient | None = None,
    arxiv: ArxivClient | None = None,
    today: date | None = None,
) -> list[HarvestReport]:
    """Harvest new and updated papers of `categories` ("cs.LG", "stat.ML", or "cs")."""
    client = client or oai_client()
    today = today or timezone.now().date()
    wanted = set(categories)
    reports = []
    for set_spec in sorted({c.split(".")[0] for c in categories}):
        report = _harvest_set(set_spec, wanted, client=client, arxiv=arxiv, today=today)
        logger.info("%s", report.summary())
        reports.append(report)
    return reports
