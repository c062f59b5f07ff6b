"""Actions that change papers: resolve venues, merge records from outside sources, imports.

Network calls happen outside any transaction; writes then lock the paper's identity so
that two imports of the same paper at once end in one row (see merge.py).
"""

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
from .records import PaperData, data_from_arxiv, data_from_bibsonomy, data_from_crossref
from .venues import venue_resolve

__all__ = [
    "MERGED_FIELDS",
    "RETRYABLE",
    "PaperData",
    "data_from_arxiv",
    "data_from_bibsonomy",
    "data_from_crossref",
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
    "paper_upsert",
    "papers_upsert",
    "papers_refresh_arxiv",
    "venue_resolve",
]
