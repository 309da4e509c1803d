"""GET /api/v1/timelines/home (40 statuses, fully hydrated) under wrk, against `kollegium serve`.

    .venv/bin/python bench/bench_api_timeline.py --database sqlite --dataset reference

Targets (issue 5): p50 at most 10 ms, p99 at most 40 ms at 10 concurrent clients, at least
500 requests/s, on SQLite and on PostgreSQL. Needs wrk (Debian package ``wrk``).
"""

from __future__ import annotations

import argparse
import datetime
import os

import httpx
from api_load import KOLLEGIUM, cpu_seconds, filled, server, wrk  # type: ignore[import-not-found]

TOKENS = {"reference": 1_000, "large": 10_000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--dataset", choices=sorted(TOKENS), default="reference")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument(
        "--database-url",
        help="a database bench/dataset.py filled before, used as it is (--database is its kind)",
    )
    args = parser.parse_args()
    with (
        filled(args.database, args.dataset, args.database_url) as (url, work),
        server(url, work) as base,
    ):
        target = f"{base}/api/v1/timelines/home?limit=40"
        sample = httpx.get(target, headers={"Authorization": "Bearer bench-token-1"}).json()
        if len(sample) != 40 or not sample[0]["account"]["acct"]:
            raise RuntimeError(f"the timeline is not a full page: {sample!r:.500}")
        wrk(target, connections=args.connections, seconds=3, tokens=TOKENS[args.dataset])
        # Where the CPU goes, per request: the server process and, on PostgreSQL, the database.
        database = url.rsplit("/", 1)[-1].split("?")[0]  # its backends' command lines name it
        server_cpu, database_cpu = cpu_seconds(KOLLEGIUM), cpu_seconds("postgres", database)
        result = wrk(
            target, connections=args.connections, seconds=args.seconds, tokens=TOKENS[args.dataset]
        )
        requests = result["rps"] * args.seconds
        server_cpu = (cpu_seconds(KOLLEGIUM) - server_cpu) / requests * 1000
        database_cpu = (cpu_seconds("postgres", database) - database_cpu) / requests * 1000
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"home timeline, {args.dataset} dataset, {args.database}, {args.connections} clients, "
        f"{os.cpu_count()} cores, {stamp}: p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms, "
        f"{result['rps']:.0f} req/s, non-2xx {result['errors']:.0f} "
        f"(targets: p50 <= 10 ms, p99 <= 40 ms, >= 500 req/s); CPU a request: server "
        f"{server_cpu:.2f} ms"
        + (f", PostgreSQL {database_cpu:.2f} ms" if args.database == "postgresql" else "")
    )


if __name__ == "__main__":
    main()
