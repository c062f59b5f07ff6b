"""Bulk-load a large synthetic site (100,000 papers, 300,000 summaries) into the current database.

    .venv/bin/python benchmarks/dataset.py [--papers 100000]

Used by benchmarks/load.py, which calls `load()` on a throwaway database; run on its own it
loads into a fresh throwaway test database of DATABASE_URL (Postgres), prints the counts and
the time taken, and drops the database again.

The rows are model instances (so new model fields with defaults keep working) written
with COPY, ids given up front, with triggers switched off (`session_replication_role =
replica`, which also skips foreign-key checks: the ids are known to be good); the search
index is then built once, in two connections, through discovery's own indexing code. Summaries and comments are stored already
rendered (a few Markdown+LaTeX texts rendered once by the real renderer, reused), with the
current renderer version, as if the render tasks had run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.test")

FIRST_YEAR, LAST_YEAR = 2012, 2025
METHODS = (
    "Attention",
    "Transformers",
    "Graph Networks",
    "Diffusion Models",
    "Contrastive Learning",
    "Variational Inference",
    "Policy Gradients",
    "Normalizing Flows",
    "Sparse Experts",
    "Kernel Methods",
    "Meta-Learning",
    "State Space Models",
    "Gaussian Processes",
    "Residual Networks",
    "Capsules",
    "Energy-Based Models",
    "Optimal Transport",
    "Neural ODEs",
    "Distillation",
    "Low-Rank Adapters",
    "Hypernetworks",
    "Retrieval",
)
TASKS = (
    "Image Classification",
    "Machine Translation",
    "Protein Folding",
    "Speech Recognition",
    "Question Answering",
    "Robot Control",
    "Molecule Generation",
    "Object Detection",
    "Time Series Forecasting",
    "Recommendation",
    "Program Synthesis",
    "Weather Prediction",
    "Semantic Segmentation",
    "Text Summarization",
    "Anomaly Detection",
    "Video Generation",
)
QUALIFIERS = (
    "Scalable",
    "Efficient",
    "Robust",
    "Provable",
    "Self-Supervised",
    "Few-Shot",
    "Differentiable",
    "Hierarchical",
    "Adaptive",
    "Federated",
    "Causal",
    "Unsupervised",
)
FIRST_NAMES = (
    "Ada",
    "Yoshua",
    "Fei",
    "Geoffrey",
    "Daphne",
    "Jürgen",
    "Li",
    "Andrew",
    "Chelsea",
    "Sergey",
    "Ilya",
    "Kaiming",
    "Anima",
    "Percy",
    "Yann",
    "Raia",
    "Pieter",
    "Oriol",
    "Joelle",
    "Timnit",
    "Samy",
    "Hugo",
    "Kyunghyun",
    "Tomas",
    "Shakir",
    "Zoubin",
    "Max",
    "Aaron",
    "Alex",
    "Noam",
    "Ashish",
    "Jakob",
    "Lukasz",
    "Niki",
    "Diederik",
    "Danilo",
)
LAST_NAMES = (
    "Lovelace",
    "Bengio",
    "Li",
    "Hinton",
    "Koller",
    "Schmidhuber",
    "Deng",
    "Ng",
    "Finn",
    "Levine",
    "Sutskever",
    "He",
    "Anandkumar",
    "Liang",
    "LeCun",
    "Hadsell",
    "Abbeel",
    "Vinyals",
    "Pineau",
    "Gebru",
    "Bengio",
    "Larochelle",
    "Cho",
    "Mikolov",
    "Mohamed",
    "Ghahramani",
    "Welling",
    "Courville",
    "Graves",
    "Shazeer",
    "Vaswani",
    "Uszkoreit",
    "Kaiser",
    "Parmar",
    "Kingma",
    "Rezende",
    "Goodfellow",
    "Salakhutdinov",
    "Jordan",
)
ABSTRACT = (
    "We study {method} for {task}. Existing approaches scale poorly with the size of the "
    "input and need large labelled data sets. We propose a {qualifier} variant that "
    "keeps the cost linear in the input length, and prove that it recovers the optimal "
    "solution under mild assumptions. Experiments on five benchmarks show consistent "
    "gains over strong baselines, and an ablation study explains where they come from. "
    "Code and trained models are available."
)
SUMMARY_TEXTS = (
    "The paper replaces quadratic attention with a linear-time approximation. The key "
    "identity is $\\mathrm{{softmax}}(QK^\\top)V \\approx \\phi(Q)(\\phi(K)^\\top V)$, "
    "so the cost drops from $O(n^2 d)$ to $O(n d^2)$.\n\n"
    "- Experiments cover {task} and two synthetic tasks.\n"
    "- The gains are largest for long inputs ($n > 4096$).\n\n"
    "Open question: how does the approximation error grow with depth?",
    "**Idea.** Train with a {qualifier} objective\n\n"
    "$$\\mathcal{{L}}(\\theta) = \\mathbb{{E}}_{{x \\sim p}}\\left[\\log q_\\theta(x)\\right] "
    "- \\beta\\, \\mathrm{{KL}}(q_\\theta \\,\\|\\, p_0)$$\n\n"
    "and anneal $\\beta$ from 1 to 0. The authors report results on {task} with "
    "ablations over the schedule; the appendix has the proofs.",
    "A careful empirical study of {method} on {task}. Three findings stand out:\n\n"
    "1. Initialisation matters more than the optimiser.\n"
    "2. Learning-rate warm-up of $\\approx 5\\%$ of the steps is enough.\n"
    "3. Label noise of up to $20\\%$ costs less than one point of accuracy.\n\n"
    "See also the discussion of the scaling law $L(N) \\propto N^{{-\\alpha}}$.",
    "Short version: {method} works for {task} when the data are *plentiful* and the model "
    "is *small*. The analysis bounds the error by $\\epsilon \\le C / \\sqrt{{n}}$ and the "
    "experiments agree with the bound on three data sets.",
)
COMMENT_TEXTS = (
    "Nice summary. Is the bound $O(1/\\sqrt{{n}})$ tight?",
    "Thanks, this saved me an afternoon.",
    "I think the second experiment uses a different baseline than the text says.",
    "Does the method need the warm-up, or is it just for stability?",
)


@dataclass
class Dataset:
    """What was loaded, for the load test to pick its pages from."""

    paper_ids: list[int]
    summarised_paper_ids: list[int]
    summaries_by_paper: dict[int, list[int]]
    venue_years: list[tuple[str, int]]
    search_terms: list[str]
    writer_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)


def _say(progress, message: str) -> None:
    if progress:
        progress(message)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_rows(model, objs: list) -> int:
    """Write model instances with COPY, ids and all; fields left None take their pre_save."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.generated]
    buffer = io.StringIO()
    for obj in objs:
        values = []
        for f in fields:
            value = getattr(obj, f.attname)
            if value is None and getattr(f, "auto_now_add", False):
                value = f.pre_save(obj, add=True)
            if f.get_internal_type() == "JSONField":
                # Written as JSON text: the driver's adapter prints as a SQL literal.
                values.append(_copy_value(None if value is None else json.dumps(value)))
            else:
                values.append(_copy_value(f.get_db_prep_save(value, connection)))
        buffer.write("\t".join(values))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN",
            buffer,
            size=1 << 20,
        )
    return len(objs)


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequences(models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _index_search(paper_ids: list[int], threads: int = 2) -> None:
    """Build the search rows of these papers, in `threads` connections at once."""
    from django.db import connections

    try:
        from discovery.fulltext import engine
        from discovery.services import _chunks, index_summaries
    except ImportError:  # discovery's internals moved: fall back to its public rebuild
        from discovery.services import index_rebuild

        index_rebuild()
        return

    chunks = list(_chunks(paper_ids))
    errors: list[BaseException] = []

    def work(part):
        try:
            for chunk in part:
                engine().index_papers(chunk)
                index_summaries(paper_ids=chunk)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [
        threading.Thread(target=work, args=(chunks[i::threads],))
        for i in range(threads)
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]


def load(
    *,
    papers: int = 100_000,
    summaries: int | None = None,
    seed: int = 1,
    progress=print,
) -> Dataset:
    """Fill the (empty, migrated) current database with a synthetic site; return its shape."""
    from django.db import connection, transaction
    from django.utils import timezone

    from comments.models import Comment
    from papers.models import Author, Authorship, Keyword, Paper, Venue
    from shortscience import markup
    from summaries.models import Summary, Vote
    from users.models import User

    rng = random.Random(seed)
    summaries = papers * 3 if summaries is None else summaries
    now = timezone.now()
    version = markup.RENDERER_VERSION
    started = time.perf_counter()

    def write(model, rows, label):
        t = time.perf_counter()
        copy_rows(model, rows)
        _say(
            progress, f"  {label:<12} {len(rows):>9,}  {time.perf_counter() - t:6.1f} s"
        )
        return rows

    def numbered(model, rows):
        first = _next_id(model)
        for offset, row in enumerate(rows):
            row.pk = first + offset
        return rows

    with transaction.atomic():
        with connection.cursor() as cursor:
            # Skip triggers (the search index is built once at the end) and FK checks.
            cursor.execute("SET LOCAL session_replication_role = replica")

        venues = list(Venue.objects.exclude(slug="arxiv"))
        arxiv = Venue.objects.get(slug="arxiv")
        keywords = write(
            Keyword,
            numbered(
                Keyword,
                [
                    Keyword(name=f"{m} {t}"[:100], slug=f"kw-{i}")
                    for i, (m, t) in enumerate((m, t) for m in METHODS for t in TASKS)
                ],
            ),
            "keywords",
        )
        n_authors = max(100, papers // 2)
        authors = write(
            Author,
            numbered(
                Author,
                [
                    Author(
                        name=f"{rng.choice(FIRST_NAMES)} {chr(65 + i % 26)}. "
                        f"{rng.choice(LAST_NAMES)} {i}"
                    )
                    for i in range(n_authors)
                ],
            ),
            "authors",
        )
        paper_rows = []
        for i in range(papers):
            method, task, qualifier = (
                rng.choice(METHODS),
                rng.choice(TASKS),
                rng.choice(QUALIFIERS),
            )
            year = rng.randint(FIRST_YEAR, LAST_YEAR)
            preprint = rng.random() < 0.4
            title = f"{qualifier} {method} for {task} ({i})"
            paper_rows.append(
                Paper(
                    title=title,
                    title_key=title.lower()[:300],
                    abstract=ABSTRACT.format(
                        method=method, task=task, qualifier=qualifier.lower()
                    ),
                    year=year,
                    published_on=date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    venue_id=arxiv.pk if preprint else rng.choice(venues).pk,
                    arxiv_id=f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}",
                    arxiv_version=rng.randint(1, 4),
                    doi="" if preprint else f"10.5555/synthetic.{i}",
                    source=Paper.Source.ARXIV if preprint else Paper.Source.BIBSONOMY,
                    url=f"https://example.org/papers/{i}",
                    created_at=now,
                    updated_at=now,
                )
            )
        paper_ids = [p.pk for p in write(Paper, numbered(Paper, paper_rows), "papers")]
        author_ids = [a.pk for a in authors]
        write(
            Authorship,
            numbered(
                Authorship,
                [
                    Authorship(paper_id=pid, author_id=author_id, position=pos)
                    for pid in paper_ids
                    for pos, author_id in enumerate(
                        rng.sample(author_ids, rng.randint(2, 5))
                    )
                ],
            ),
            "authorships",
        )
        Through = Paper.keywords.through
        keyword_ids = [k.pk for k in keywords]
        write(
            Through,
            numbered(
                Through,
                [
                    Through(paper_id=pid, keyword_id=kw)
                    for pid in paper_ids
                    for kw in rng.sample(keyword_ids, 2)
                ],
            ),
            "paper-kw",
        )

        n_writers = max(200, papers // 5)
        writers = numbered(
            User,
            [
                User(
                    username=f"writer{i}",
                    email=f"writer{i}@example.org",
                    display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    password="!",  # noqa: S106 (unusable: these accounts never sign in)
                    date_joined=now - timedelta(days=rng.randint(30, 2000)),
                )
                for i in range(n_writers)
            ],
        )
        writer_ids = [w.pk for w in writers]

        rendered_summaries = []
        for text in SUMMARY_TEXTS:
            for task in TASKS[:4]:
                body = text.format(
                    task=task, method="the method", qualifier="variational"
                )
                rendered_summaries.append((body, markup.render(body)))
        # Papers get 0, 1, 2, ... summaries, 3 on average (scaled to `summaries`).
        weights = [0.3, 0.15, 0.1, 0.1, 0.1, 0.1, 0.0, 0.1, 0.05]
        mean = sum(k * w for k, w in enumerate(weights))
        scale = summaries / (papers * mean)
        summary_rows = []
        for pid in paper_ids:
            k = rng.choices(range(len(weights)), weights)[0]
            k = min(len(writer_ids), int(k * scale + rng.random()))
            for writer_id in rng.sample(writer_ids, k):
                body, html = rng.choice(rendered_summaries)
                published = now - timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
                summary_rows.append(
                    Summary(
                        paper_id=pid,
                        writer_id=writer_id,
                        body=body,
                        body_html=html,
                        rendered_by=version,
                        status=Summary.Status.PUBLISHED,
                        published_at=published,
                        is_anonymous=rng.random() < 0.05,
                        created_at=published,
                        updated_at=published,
                    )
                )
        numbered(Summary, summary_rows)
        summary_by_id = {s.pk: s for s in summary_rows}
        summaries_by_paper: dict[int, list[int]] = {}
        for s in summary_rows:
            summaries_by_paper.setdefault(s.paper_id, []).append(s.pk)
        summary_ids = list(summary_by_id)

        votes: dict[tuple[int, int], Vote] = {}
        n_votes = len(summary_ids) // 2
        while len(votes) < n_votes and summary_ids:
            sid = rng.choice(summary_ids)
            uid = rng.choice(writer_ids)
            if uid == summary_by_id[sid].writer_id or (uid, sid) in votes:
                continue
            # One vote in ten is from the last week, so the home page has a popular list.
            ago = (
                timedelta(minutes=rng.randint(1, 7 * 24 * 60))
                if rng.random() < 0.1
                else timedelta(days=rng.randint(8, 1000))
            )
            value = 1 if rng.random() < 0.85 else -1
            votes[(uid, sid)] = Vote(
                user_id=uid,
                summary_id=sid,
                value=value,
                created_at=now - ago,
                updated_at=now - ago,
            )
            summary_by_id[sid].score += value
        reputation: dict[int, int] = {}
        for s in summary_rows:
            if not s.is_anonymous:
                reputation[s.writer_id] = reputation.get(s.writer_id, 0) + s.score
        for w in writers:
            w.reputation = reputation.get(w.pk, 0)
        write(User, writers, "writers")
        write(Summary, summary_rows, "summaries")
        write(Vote, numbered(Vote, list(votes.values())), "votes")

        rendered_comments = [
            (t.format(), markup.render(t.format())) for t in COMMENT_TEXTS
        ]
        comment_rows = []
        for _ in range(papers // 2 if summary_ids else 0):
            sid = rng.choice(summary_ids)
            body, html = rng.choice(rendered_comments)
            written = now - timedelta(days=rng.randint(1, 900))
            comment_rows.append(
                Comment(
                    summary_id=sid,
                    writer_id=rng.choice(writer_ids),
                    body=body,
                    body_html=html,
                    rendered_by=version,
                    created_at=written,
                    updated_at=written,
                )
            )
        write(Comment, numbered(Comment, comment_rows), "comments")
        _reset_sequences(
            [Keyword, Author, Paper, Authorship, Through, User, Summary, Vote, Comment]
        )

    t = time.perf_counter()
    _index_search(paper_ids)
    _say(
        progress,
        f"  {'search index':<12} {len(paper_ids):>9,}  {time.perf_counter() - t:6.1f} s",
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # COPY wrote around the services: count the venues' coverage as the hourly job would.
    from papers.services import venues_recount

    venues_recount()
    _say(progress, f"  loaded in {time.perf_counter() - started:.0f} s")

    venue_years = sorted(
        {
            (slug, year)
            for slug, year in Paper.objects.filter(pk__in=paper_ids[:5000])
            .values_list("venue__slug", "year")
            .distinct()
        }
    )
    return Dataset(
        paper_ids=paper_ids,
        summarised_paper_ids=[p for p in paper_ids if p in summaries_by_paper],
        summaries_by_paper=summaries_by_paper,
        venue_years=venue_years,
        search_terms=[m.lower() for m in METHODS]
        + [t.lower() for t in TASKS]
        + ["diffusion segmentation", "graph networks forecasting", "robust attention"],
        writer_ids=writer_ids,
        counts={
            "papers": len(paper_ids),
            "summaries": len(summary_ids),
            "votes": len(votes),
            "comments": len(comment_rows),
            "writers": len(writer_ids),
            "authors": len(authors),
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument(
        "--summaries", type=int, default=None, help="default 3 per paper"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a Postgres server: the loader is Postgres-only.")
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        data = load(papers=args.papers, summaries=args.summaries)
        print(f"database: {db_name}")
        for key, value in data.counts.items():
            print(f"{key + ':':<11}{value:>10,}")
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


if __name__ == "__main__":
    main()
