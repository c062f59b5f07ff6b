"""Actions that change papers: resolve venues, merge records from outside sources, imports.

Network calls happen outside any transaction; writes then lock the paper's identity so
that two imports of the same paper at once end in one row (see merge.py).
"""

from .coverage import venue_counts_changed, venue_counts_store, venues_recount
from .harvest import HarvestReport, arxiv_harvest
from .imports import (
    RETRYABLE,
    fetch_data,
    import_arxiv_batch,
    import_create,
    import_create_many,
    import_from_own_record,
    import_record_result,
    import_retry,
    import_run,
    import_schedule_retry,
    import_start,
    papers_refresh_arxiv,
    title_search_run,
    title_search_start,
)
from .merge import MERGED_FIELDS, paper_upsert, papers_upsert
from .openreview import (
    OpenReviewImportReport,
    openreview_sync,
    venue_import_openreview,
)
from .proceedings import (
    VenueImportReport,
    papers_link_arxiv,
    venue_import,
    venues_sync,
)
from .records import (
    PaperData,
    data_from_arxiv,
    data_from_bibsonomy,
    data_from_crossref,
    data_from_dblp,
    data_from_oai,
    data_from_openreview,
)
from .venues import (
    paper_save_from_admin,
    venue_for_dblp_key,
    venue_resolve,
    venue_save,
    venue_sync_record,
)

__all__ = [
    "MERGED_FIELDS",
    "RETRYABLE",
    "HarvestReport",
    "OpenReviewImportReport",
    "PaperData",
    "VenueImportReport",
    "arxiv_harvest",
    "data_from_arxiv",
    "data_from_bibsonomy",
    "data_from_crossref",
    "data_from_dblp",
    "data_from_oai",
    "data_from_openreview",
    "fetch_data",
    "import_arxiv_batch",
    "import_create",
    "import_create_many",
    "import_from_own_record",
    "import_record_result",
    "import_retry",
    "import_schedule_retry",
    "title_search_run",
    "title_search_start",
    "import_run",
    "import_start",
    "paper_save_from_admin",
    "paper_upsert",
    "papers_upsert",
    "papers_link_arxiv",
    "papers_refresh_arxiv",
    "venue_counts_changed",
    "venue_counts_store",
    "venue_for_dblp_key",
    "venue_import",
    "venue_import_openreview",
    "openreview_sync",
    "venue_sync_record",
    "venue_resolve",
    "venues_recount",
    "venues_sync",
    "venue_save",
]
