"""Full-text search over the 1,000,000-status dataset: p50 and p95 of one page of results.

    .venv/bin/python bench/bench_search.py                      # SQLite (FTS5)
    .venv/bin/python bench/bench_search.py postgresql://postgres@127.0.0.1/bench_search

The dataset is bench/dataset.py's ``large`` (made once when the database is missing or
empty). Queries are Swedish words and inflected forms of the dataset's vocabulary, which is
small (about 60 words, so a common word is in about half of all statuses: the hard case for
"newest first"), and rarer hashtags; each is searched by a member, as the API does
(visibility checked), and the first page (20) is timed. On SQLite the index is first brought
up to date (fediverse.search.catch_up), which is timed as well.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset
from fediverse.search import catch_up, search_statuses
from fediverse.storage.database import Store, sqlite_path

DEFAULT_URL = "sqlite:///bench/data/search-large.db"
QUERIES = [
    "förskolan",
    "budgeten",
    "protokollet",
    "nämnden beslut",
    "vikarier",
    "utredningen remiss",
    "lösenord skrivare",
    "tagg07",
    "semestern",
    "arbetsmiljön samverkan projekt",
    "tagg13 kommun",
    "elever vårdnadshavare",
]


async def _statuses_in(url: str) -> int:
    store = Store(url)
    try:
        await store.connect()
        async with store.read() as conn:
            return int(await conn.fetch_val("SELECT count(*) FROM statuses") or 0)
    except Exception:  # no database, or not migrated yet: make it
        return 0
    finally:
        await store.disconnect()


def ensure_dataset(url: str) -> None:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    elif asyncio.run(_statuses_in(url)) >= 1_000_000:
        return
    print("making the large dataset (once; several minutes)...", flush=True)
    started = time.perf_counter()
    dataset.upgrade(url)
    tables = dataset.generate("large")
    if path is not None:
        dataset.write_sqlite(url, tables)
    else:
        asyncio.run(dataset.write_postgres(url, tables))
    print(f"dataset ready in {time.perf_counter() - started:.0f} s", flush=True)


async def measure(url: str, rounds: int) -> None:
    store = Store(url)
    await store.connect()
    try:
        started = time.perf_counter()
        indexed = await catch_up(store, batch=20_000)
        if indexed:
            print(f"indexed {indexed:,} statuses in {time.perf_counter() - started:.1f} s")
        async with store.read() as conn:
            viewer = int(await conn.fetch_val("SELECT min(account_id) FROM users") or 0)
            if not viewer:
                viewer = int(await conn.fetch_val("SELECT min(id) FROM accounts"))
        await search_statuses(store, viewer, QUERIES[0], limit=20)  # warm the caches
        timings: dict[str, list[float]] = {q: [] for q in QUERIES}
        found: dict[str, int] = {}
        for _ in range(rounds):
            for query in QUERIES:
                t0 = time.perf_counter()
                rows = await search_statuses(store, viewer, query, limit=20)
                timings[query].append((time.perf_counter() - t0) * 1000)
                found[query] = len(rows)
        everything = sorted(t for ts in timings.values() for t in ts)
        for query, ts in timings.items():
            print(f"  {query!r:36} {statistics.median(ts):7.1f} ms  ({found[query]} on the page)")
        p95 = everything[int(len(everything) * 0.95) - 1]
        print(
            f"search, first page of 20, {len(everything)} searches: "
            f"p50 {statistics.median(everything):.1f} ms, p95 {p95:.1f} ms"
        )
    finally:
        await store.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    ensure_dataset(args.database_url)
    asyncio.run(measure(args.database_url, args.rounds))


if __name__ == "__main__":
    main()
