"""Fill Postgres with synthetic papers and summaries, then time the pages readers use most.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/search_bench.py [--papers 100000] [--summaries 300000]

At the size of all of arXiv plus dblp's venues in view (the issue's goal: 1,000,000 papers,
each p95 at most 1.3 times its figure at 100,000):

    DATABASE_URL=... .venv/bin/python benchmarks/search_bench.py \\
        --papers 1000000 --summaries 3000000 --ratio-goal 1.3

`--keep NAME` keeps the full-size database under that name; `--measure SMALL FULL` loads
nothing and times two kept databases in one run (each with an emptied cache), so that
figures before and after a change come from the same data:

    DATABASE_URL=... .venv/bin/python benchmarks/search_bench.py \\
        --measure bench_100k bench_1m --ratio-goal 1.3

Creates a throwaway database ("bench_" and DATABASE_URL's name, migrated), loads a
tenth of the data with COPY, 50,000 papers at a time so that memory stays bounded
(triggers off, as pg_restore does, then the search index built
in one pass by discovery's own indexing code), times the search, venue-year, home and paper
pages through the whole Django stack (django.test.Client, signed in, so that the anonymous
page cache is not what is measured), loads the rest, times them again and drops the
database. Prints p50 and p95 per page at both sizes and whether each goal is met: search p95
<= 100 ms, other pages p95 <= 30 ms, and every p95 at full size at most 1.5 times the p95 at
a tenth of it. About two and a half minutes on two cores.

The catalogue is synthetic but shaped like a real one: Zipf-distributed words after the
English stop words (so "learning" is in most papers and a made-up word in a few), 1-8
authors a paper, summaries on 60% of the papers (five on average), votes over three years.
The searches are title fragments, author names, broad topics, phrases, misspelt titles,
arXiv ids and filtered topics.
"""

import argparse
import io
import itertools
import logging
import os
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.test")

NOW = datetime.now(UTC)
# The most frequent words of English prose come first, as in real abstracts: the search
# drops them, and the topic words after them are common but not in every sentence.
STOP_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "we",
    "with",
    "on",
    "this",
    "by",
    "are",
    "as",
    "from",
    "be",
    "an",
    "which",
    "our",
    "it",
    "can",
    "these",
    "at",
    "or",
    "not",
    "has",
    "have",
    "its",
    "also",
    "their",
    "such",
    "than",
    "both",
    "into",
    "more",
    "using",
    "show",
    "based",
]
BASE_WORDS = [
    "learning",
    "neural",
    "network",
    "deep",
    "model",
    "training",
    "data",
    "optimization",
    "gradient",
    "descent",
    "stochastic",
    "reinforcement",
    "policy",
    "agent",
    "reward",
    "transformer",
    "attention",
    "language",
    "vision",
    "image",
    "segmentation",
    "detection",
    "graph",
    "convolutional",
    "recurrent",
    "memory",
    "generative",
    "adversarial",
    "variational",
    "autoencoder",
    "inference",
    "bayesian",
    "probabilistic",
    "kernel",
    "sparse",
    "representation",
    "embedding",
    "contrastive",
    "supervised",
    "unsupervised",
    "robust",
    "examples",
    "federated",
    "privacy",
    "differential",
    "fairness",
    "causal",
    "interpretability",
    "explanation",
    "benchmark",
    "dataset",
    "evaluation",
    "scaling",
    "laws",
    "efficient",
    "compression",
    "quantization",
    "pruning",
    "distillation",
    "meta",
    "transfer",
    "domain",
    "adaptation",
    "continual",
    "multimodal",
    "speech",
    "recognition",
    "translation",
    "question",
    "answering",
    "retrieval",
    "ranking",
    "recommendation",
    "diffusion",
    "score",
    "matching",
    "energy",
    "flow",
    "normalizing",
    "latent",
    "variable",
    "estimation",
    "sampling",
    "monte",
    "carlo",
    "markov",
    "chain",
    "theory",
    "generalization",
    "bounds",
    "convex",
    "regularization",
    "dropout",
    "normalization",
    "residual",
    "architecture",
    "search",
    "hyperparameter",
    "tree",
    "forest",
    "boosting",
    "clustering",
    "manifold",
    "spectral",
    "topology",
    "curvature",
    "equivariant",
    "symmetry",
    "physics",
    "molecule",
    "protein",
    "planning",
    "control",
    "robotics",
    "navigation",
    "exploration",
    "curiosity",
    "imitation",
    "bandits",
]
FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Yoshua",
    "Geoffrey",
    "Yann",
    "Fei",
    "Andrew",
    "Daphne",
    "Michael",
    "Jurgen",
    "Sepp",
    "Ilya",
    "Oriol",
    "Demis",
    "David",
    "Ian",
    "Aaron",
    "Alex",
    "Kaiming",
    "Ross",
    "Jitendra",
    "Pieter",
    "Sergey",
    "Chelsea",
    "Percy",
    "Chris",
    "Hugo",
    "Ruslan",
    "Zoubin",
    "Max",
    "Bernhard",
    "Leslie",
    "Judea",
    "Richard",
    "Tom",
    "Noam",
    "Ashish",
    "Jakob",
    "Lukasz",
    "Niki",
    "Aidan",
    "Illia",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "shi",
    "vo",
    "pe",
    "da",
    "gri",
    "zen",
    "tor",
    "mal",
    "qua",
    "bex",
    "fin",
    "sol",
    "har",
    "den",
    "wick",
]


def synthetic_words(rng, n, lo=2, hi=4):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(lo, hi))))
    return sorted(words)


class Catalogue:
    """Deterministic synthetic data, produced in slices of paper ids."""

    def __init__(self, seed=7):
        self.rng = random.Random(seed)
        rng = self.rng
        self.vocab = STOP_WORDS + BASE_WORDS + synthetic_words(rng, 6000)
        self.cum = list(
            itertools.accumulate(1 / (i + 1) ** 1.07 for i in range(len(self.vocab)))
        )
        self.surnames = [w.capitalize() for w in synthetic_words(rng, 3000, 2, 3)]
        self.keywords = sorted(
            {" ".join(rng.sample(BASE_WORDS, 2)) for _ in range(400)}
        )

    def words(self, n):
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=n)

    def author_name(self, author_id):
        return f"{FIRST[author_id % len(FIRST)]} {self.surnames[author_id // len(FIRST) % len(self.surnames)]} {author_id // 1000}"


def copy_rows(cursor, model, rows, batch=20_000):
    """COPY dicts of attribute values into a model's table; other fields get defaults."""
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    static = {
        f.attname: f.get_default()
        for f in fields
        if not (f.has_default() and callable(f.default))
    }
    columns = ", ".join(f'"{f.column}"' for f in fields)
    sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, batch)):
        buf = io.StringIO()
        for row in chunk:
            values = []
            for f in fields:
                if f.attname in row:
                    value = row[f.attname]
                elif f.attname in static:
                    value = static[f.attname]
                else:
                    value = f.get_default()
                values.append(_copy_text(value))
            buf.write("\t".join(values))
            buf.write("\n")
        buf.seek(0)
        cursor.copy_expert(sql, buf)


def _copy_text(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return (
        text.replace("\\", "\\\\")
        .replace("\t", " ")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def load_slice(cat, first_paper, last_paper, summaries_per_paper, state):
    """Load papers first_paper..last_paper with their authors, keywords, summaries, votes."""
    from django.core.management.color import no_style
    from django.db import connection

    from papers.models import Author, Authorship, Keyword, Paper
    from shortscience import markup
    from summaries.models import Summary, Vote
    from users.models import User

    rng = cat.rng
    venues = state["venues"]
    users_needed = max(50, int((last_paper - first_paper + 1) * 0.2))
    first_user = state["users"] + 1
    new_users = range(first_user, first_user + users_needed)
    state["users"] += users_needed
    papers, authorships, paper_keywords, summaries, votes = [], [], [], [], []
    new_authors = []
    for pid in range(first_paper, last_paper + 1):
        year = rng.randint(2010, 2025)
        title = " ".join(cat.words(rng.randint(5, 11))).capitalize()
        papers.append(
            {
                "id": pid,
                "created_at": NOW,
                "updated_at": NOW,
                "title": title,
                "title_key": title.lower()[:300],
                "abstract": " ".join(cat.words(120)).capitalize() + ".",
                "year": year,
                "venue_id": rng.choice(venues),
                "arxiv_id": f"{15 + pid // 100000 % 10:02d}{1 + pid % 12:02d}.{pid % 100000:05d}",
                "arxiv_version": 1,
                "source": Paper.Source.ARXIV,
            }
        )
        for position in range(rng.randint(1, 8)):
            if rng.random() < 0.3 or not state["authors"]:
                state["authors"] += 1
                author_id = state["authors"]
                new_authors.append(
                    {"id": author_id, "name": cat.author_name(author_id)}
                )
            else:
                author_id = rng.randint(1, state["authors"])
            state["authorships"] += 1
            authorships.append(
                {
                    "id": state["authorships"],
                    "paper_id": pid,
                    "author_id": author_id,
                    "position": position,
                }
            )
        for keyword_id in {
            rng.randint(1, len(cat.keywords)) for _ in range(rng.randint(1, 3))
        }:
            state["paper_keywords"] += 1
            paper_keywords.append(
                {
                    "id": state["paper_keywords"],
                    "paper_id": pid,
                    "keyword_id": keyword_id,
                }
            )
        if rng.random() < 0.6:
            count = max(1, round(rng.expovariate(1 / summaries_per_paper)))
            all_users = state["users"]
            for writer_id in rng.sample(range(1, all_users + 1), min(count, 40)):
                state["summaries"] += 1
                published = NOW - timedelta(
                    days=rng.random() * 1000
                    if rng.random() > 0.01
                    else rng.random() * 7
                )
                body = " ".join(cat.words(150))
                summaries.append(
                    {
                        "id": state["summaries"],
                        "created_at": published,
                        "updated_at": published,
                        "paper_id": pid,
                        "writer_id": writer_id,
                        "body": body,
                        "body_html": f"<p>{body}</p>",
                        "rendered_by": markup.RENDERER_VERSION,
                        "status": Summary.Status.PUBLISHED,
                        "published_at": published,
                        "arxiv_version": 1,
                        "share_token": f"bench-{state['summaries']}",
                    }
                )
    scores = {}
    seen = set()
    for _ in range(len(summaries) * 2 // 3):
        summary = rng.choice(summaries)
        user_id = rng.randint(1, state["users"])
        if (user_id, summary["id"]) in seen or user_id == summary["writer_id"]:
            continue
        seen.add((user_id, summary["id"]))
        value = 1 if rng.random() < 0.9 else -1
        cast = NOW - timedelta(
            days=rng.random() * 7 if rng.random() < 0.03 else rng.random() * 1000
        )
        state["votes"] += 1
        votes.append(
            {
                "id": state["votes"],
                "created_at": cast,
                "updated_at": cast,
                "user_id": user_id,
                "summary_id": summary["id"],
                "value": value,
            }
        )
        scores[summary["id"]] = scores.get(summary["id"], 0) + value
    for summary in summaries:
        summary["score"] = scores.get(summary["id"], 0)

    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        # Replica mode skips triggers (the search index is built in one pass below)
        # and foreign-key checks, as pg_restore does.
        cursor.execute("SET session_replication_role = replica")
        copy_rows(
            cursor,
            User,
            (
                {
                    "id": uid,
                    "username": f"reader{uid}",
                    "email": f"reader{uid}@example.org",
                    "password": "!",
                    "display_name": f"Reader {uid}",
                    "date_joined": NOW,
                }
                for uid in new_users
            ),
        )
        if not state["keywords_loaded"]:
            copy_rows(
                cursor,
                Keyword,
                (
                    {"id": i, "name": name, "slug": name.replace(" ", "-")}
                    for i, name in enumerate(cat.keywords, 1)
                ),
            )
            state["keywords_loaded"] = True
        copy_rows(cursor, Author, new_authors)
        copy_rows(cursor, Paper, papers)
        copy_rows(cursor, Authorship, authorships)
        copy_rows(cursor, Paper.keywords.through, paper_keywords)
        copy_rows(cursor, Summary, summaries)
        copy_rows(cursor, Vote, votes)
        cursor.execute("SET session_replication_role = origin")
    models = [User, Keyword, Author, Paper, Authorship, Paper.keywords.through]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [*models, Summary, Vote]
        ):
            cursor.execute(sql)
    return list(range(first_paper, last_paper + 1))


# Papers generated and copied at a time: memory stays near 0.5 GB at any size (a slice
# of 900,000 papers with their summaries held at once would need over 10 GB).
LOAD_CHUNK = 50_000


def load_range(cat, first_paper, last_paper, summaries_per_paper, state):
    """Load papers first_paper..last_paper, LOAD_CHUNK at a time; return their ids."""
    ids = []
    for start in range(first_paper, last_paper + 1, LOAD_CHUNK):
        end = min(last_paper, start + LOAD_CHUNK - 1)
        ids.extend(load_slice(cat, start, end, summaries_per_paper, state))
    return ids


def index(paper_ids):
    from django.db import connection, connections

    from discovery import services
    from discovery.fulltext import engine
    from papers.services import venues_recount

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # plan the indexing joins with real row counts
        # As pg_restore does: fill the table, then build its GIN indexes in one pass.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'discovery_paperindex' AND indexdef LIKE '%USING gin%'"
        )
        gin = cursor.fetchall()
        for name, _ in gin:
            cursor.execute(f'DROP INDEX "{name}"')
    chunks = [paper_ids[i : i + 2000] for i in range(0, len(paper_ids), 2000)]
    errors = []

    def work(part):
        try:
            for chunk in part:
                engine().index_papers(chunk)
                services.index_summaries(paper_ids=chunk)
        except Exception as exc:  # re-raised below, in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    # Two connections: to_tsvector is CPU-bound, and the machine has two cores.
    threads = [threading.Thread(target=work, args=(chunks[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    with connection.cursor() as cursor:
        for _, definition in gin:
            cursor.execute(definition)
        # As autovacuum would have by the time readers arrive: set the visibility map
        # and hint bits, so that the first reads do not pay for them.
        cursor.execute("VACUUM ANALYZE")
    # COPY wrote around the services: count the venues' coverage as the hourly job would.
    venues_recount()
    return time.perf_counter() - start


def workload(cat, state, rng):
    """Return {page: [url, ...]} drawn from what is in the database now."""
    from django.urls import reverse

    from papers.models import Paper, Venue
    from summaries.models import Summary

    papers = list(
        Paper.objects.order_by("?").values_list("pk", "title", "arxiv_id", "year")[:400]
    )
    summarised = list(
        Summary.objects.order_by("?").values_list("paper_id", flat=True)[:100]
    )
    venue_years = list(
        Paper.objects.values_list("venue__slug", "year").distinct().order_by("?")[:100]
    )
    slugs = list(Venue.objects.values_list("slug", flat=True))
    search = reverse("discovery:search")
    queries = []
    for n in range(200):
        kind = n % 10
        pk, title, arxiv_id, year = rng.choice(papers)
        # What a reader remembers of a title: its words, not "of" and "the".
        words = [w for w in title.lower().split() if w not in STOP_WORDS] or ["data"]
        if kind in (0, 1, 2):  # words of a title the reader remembers
            start = rng.randrange(max(1, len(words) - 2))
            q = " ".join(words[start : start + rng.randint(2, 3)])
        elif kind in (3, 4):  # an author
            q = cat.author_name(rng.randint(1, state["authors"])).split()[1]
        elif kind == 5:  # a broad topic
            q = " ".join(rng.sample(BASE_WORDS[:40], rng.randint(1, 2)))
        elif kind == 6:  # a phrase
            q = f'"{" ".join(words[:2])}"'
        elif kind == 7:  # a typo in a title word
            word = max(words, key=len)
            i = rng.randrange(1, len(word) - 1)
            q = " ".join([*words[:2], word[:i] + word[i + 1 :] + word[i]])
        elif kind == 8:  # an arXiv id
            q = arxiv_id
        else:  # a topic with filters
            q = rng.choice(BASE_WORDS[:60])
        params = {"q": q}
        if n % 5 == 4:
            params |= rng.choice(
                [
                    {"venue": rng.choice(slugs)},
                    {"year_from": year - 2, "year_to": year + 2},
                    {"has_summaries": "on"},
                ]
            )
        queries.append(f"{search}?{urlencode(params)}")
    return {
        "search": queries,
        "venue-year": [
            reverse("papers:venue-year", args=[slug, year])
            for slug, year in venue_years
        ],
        "home": ["/", "/?tab=recent", "/?tab=top"],
        "paper": [
            reverse("paper-detail", args=[pk])
            for pk in [p[0] for p in papers[:100]] + summarised
        ],
    }


def measure(urls, requests, rng):
    """Return ({page: (p50 ms, p95 ms)}, failures)."""
    from django.db import connections
    from django.test import Client

    from users.models import User

    # Signed in: anonymous page views are served from the page cache, which would
    # measure the cache rather than the pages.
    client = Client()
    client.force_login(User.objects.order_by("pk").first())
    figures, failures = {}, []
    for page, pool in urls.items():
        for url in pool[:20]:  # warm caches and connections
            client.get(url)
        times = []
        for _ in range(requests):
            url = rng.choice(pool)
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code == 503:
                # The database went away (a restart by another process on a shared
                # machine): reconnect and time the request again.
                connections.close_all()
                time.sleep(1)
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
            times.append(elapsed)
            if response.status_code not in (200, 302):
                failures.append((url, response.status_code))
        times.sort()
        figures[page] = (statistics.median(times), times[int(len(times) * 0.95) - 1])
        if len(failures) > requests // 20:
            sys.exit(
                f"{len(failures)} requests failed ({failures[0][1]} for {failures[0][0]}):"
                " was Postgres restarted meanwhile? Run the benchmark again."
            )
    return figures, failures


GOALS = {"search": 100.0, "venue-year": 30.0, "home": 30.0, "paper": 30.0}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--summaries", type=int, default=300_000)
    parser.add_argument(
        "--requests", type=int, default=200, help="timed requests a page"
    )
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="keep the full-size database under this name instead of dropping it",
    )
    parser.add_argument(
        "--measure",
        nargs=2,
        metavar=("SMALL", "FULL"),
        help="load nothing: time the pages on two databases kept with --keep, in one run",
    )
    parser.add_argument(
        "--ratio-goal",
        type=float,
        default=1.5,
        help="most a p95 at full size may be, as a multiple of the p95 at a tenth",
    )
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    # The per-reader read limits (shortscience.throttle) would answer most of the timed
    # requests with 429: this measures the pages, not the limiter.
    settings.READ_RATE_LIMITS = dict.fromkeys(settings.READ_RATE_LIMITS, "1000000/m")
    from django.db import connection

    # Failed requests are counted and reported below, not logged one by one.
    logging.disable(logging.WARNING)
    if connection.vendor != "postgresql":
        sys.exit(
            "Set DATABASE_URL to a Postgres server: this benchmark measures Postgres."
        )

    from papers.models import Venue

    began = time.perf_counter()
    if args.measure:
        results, sizes = measure_kept(args.measure, args.requests)
        report(results, sizes, args.ratio_goal, began)
        return
    # A database of its own, not the test database of DATABASE_URL: a test run on the
    # same settings meanwhile would drop it.
    connection.settings_dict["TEST"]["NAME"] = args.keep or (
        f"bench_{connection.settings_dict['NAME']}"
    )
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        cat = Catalogue()
        state = {
            "venues": list(Venue.objects.values_list("pk", flat=True)),
            "users": 0,
            "authors": 0,
            "authorships": 0,
            "paper_keywords": 0,
            "summaries": 0,
            "votes": 0,
            "keywords_loaded": False,
        }
        per_paper = args.summaries / args.papers / 0.6
        small = args.papers // 10
        results = {}
        for label, first, last in (
            ("small", 1, small),
            ("full", small + 1, args.papers),
        ):
            start = time.perf_counter()
            ids = load_range(cat, first, last, per_paper, state)
            loaded = time.perf_counter() - start
            indexed = index(ids)
            rng = random.Random(label)
            figures, failures = measure(workload(cat, state, rng), args.requests, rng)
            results[label] = figures
            print(
                f"{last:>7,} papers, {state['summaries']:>7,} summaries, "
                f"{state['votes']:,} votes: loaded in {loaded:.0f} s, indexed in {indexed:.0f} s",
                flush=True,
            )
            print_figures(figures, failures)
        report(results, (small, args.papers), args.ratio_goal, began)
    finally:
        # A restart of the server mid-run closes this connection: open a new one.
        connection.close()
        if args.keep:
            print(f"kept the database {db_name}: drop it with dropdb when done")
        else:
            connection.creation.destroy_test_db(db_name, verbosity=0)


def print_figures(figures, failures):
    for url, status in failures[:5]:
        print(f"  unexpected {status} for {url}")
    # Printed as soon as measured, so a long run that is stopped keeps them.
    for page, (p50, p95) in figures.items():
        print(f"  {page:<11} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms", flush=True)


def measure_kept(names, requests):
    """Time the pages on each kept database in turn, with an emptied cache for each."""
    from django.core.cache import cache
    from django.db import connection

    from papers.models import Author, Paper

    results, sizes = {}, []
    for label, name in zip(("small", "full"), names, strict=True):
        connection.close()
        connection.settings_dict["NAME"] = name
        cache.clear()
        papers = Paper.objects.count()
        # Authors are numbered from 1 as they were loaded; the workload names some.
        state = {"authors": Author.objects.count()}
        rng = random.Random(label)
        figures, failures = measure(workload(Catalogue(), state, rng), requests, rng)
        results[label] = figures
        sizes.append(papers)
        print(f"{papers:>9,} papers ({name}):", flush=True)
        print_figures(figures, failures)
    return results, sizes


def report(results, sizes, ratio_goal, began):
    small, full = sizes
    small_n, full_n = f"{small:,}", f"{full:,}"
    print()
    print(
        f"{'page':<11} {small_n + ' p50':>11} {small_n + ' p95':>11} "
        f"{full_n + ' p50':>12} {full_n + ' p95':>12}  goal"
    )
    all_met = True
    for page, goal in GOALS.items():
        s50, s95 = results["small"][page]
        f50, f95 = results["full"][page]
        fast = f95 <= goal
        flat = f95 <= ratio_goal * s95
        all_met &= fast and flat
        print(
            f"{page:<11} {s50:>8.1f} ms {s95:>8.1f} ms {f50:>9.1f} ms {f95:>9.1f} ms"
            f"  p95 <= {goal:.0f} ms: {'met' if fast else 'NOT met'};"
            f" x{f95 / s95:.2f} of the small p95 (<= {ratio_goal}):"
            f" {'met' if flat else 'NOT met'}"
        )
    print(
        f"\nall goals met: {'yes' if all_met else 'no'}; "
        f"run time {time.perf_counter() - began:.0f} s"
    )


if __name__ == "__main__":
    main()
