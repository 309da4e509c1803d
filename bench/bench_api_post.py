"""POST /api/v1/statuses from 50 concurrent clients under wrk, against `kollegium serve`.

    .venv/bin/python bench/bench_api_post.py --database sqlite --dataset reference

Target (issue 5): at least 300 statuses/s. Each post fans out to the home feeds of its
author's local followers (50 on the reference dataset, 200 on the large one). Those rows are
written in batches after the post (fediverse/feeds.py), so the benchmark also reports the
posts whose feeds were filled during the load (all of them but those still waiting when it
ended), per second, and how long those waiting took to fill.
"""

from __future__ import annotations

import argparse
import datetime
import os

import httpx
from api_load import filled, pending_posts, seconds_until_filled, server, wrk  # type: ignore[import-not-found]

TOKENS = {"reference": 1_000, "large": 10_000}
BODY = (
    "visibility=public&status=Benchmark+inl%C3%A4gg+om+m%C3%B6tet+p%C3%A5+fredag+%23tagg01+nummer+"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--dataset", choices=sorted(TOKENS), default="reference")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--database-url",
        help="a database bench/dataset.py filled before, used as it is (--database is its kind)",
    )
    args = parser.parse_args()
    with (
        filled(args.database, args.dataset, args.database_url) as (url, work),
        server(url, work) as base,
    ):
        target = f"{base}/api/v1/statuses"
        check = httpx.post(
            target, data={"status": "check"}, headers={"Authorization": "Bearer bench-token-1"}
        )
        if check.status_code != 200:
            raise RuntimeError(f"posting fails: {check.status_code} {check.text:.300}")
        tokens = TOKENS[args.dataset]
        wrk(
            target, connections=args.connections, seconds=3, tokens=tokens, method="POST", body=BODY
        )
        seconds_until_filled(url)
        result = wrk(
            target,
            connections=args.connections,
            seconds=args.seconds,
            tokens=tokens,
            method="POST",
            body=BODY,
        )
        waiting = pending_posts(url)
        filled_after = seconds_until_filled(url)
    filled_rate = (result["rps"] * args.seconds - waiting) / args.seconds
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"post status, {args.dataset} dataset, {args.database}, {args.connections} clients, "
        f"{os.cpu_count()} cores, {stamp}: {result['rps']:.0f} statuses/s, "
        f"p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms, non-2xx {result['errors']:.0f}; "
        f"{filled_rate:.0f} statuses/s with their home feeds filled during the load ({waiting} "
        f"still waiting at its end, filled {filled_after:.1f} s later) (target: >= 300 statuses/s)"
    )


if __name__ == "__main__":
    main()
