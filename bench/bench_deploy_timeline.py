"""The home timeline through the production topology: nginx with TLS in front of four
`kollegium serve` processes on PostgreSQL, loaded with wrk over https.

    .venv/bin/python bench/bench_deploy_timeline.py                 # makes the large dataset
    .venv/bin/python bench/bench_deploy_timeline.py --database-url postgresql://.../filled

The large dataset (bench/dataset.py: 10,000 accounts, 1,000,000 statuses) takes minutes to
generate; pass --database-url to reuse a database it filled. Needs nginx and wrk (Debian
packages ``nginx`` and ``wrk``) and root for nginx's port 443 on a loopback address.

Target (issue 9): at least 800 requests/s with p99 at most 60 ms, on 2 cores. Measured twice:
with every connection sending its next request as soon as it has the answer (the rate the
topology tops out at, and its latency there, where requests queue), then with requests
paced at ``--rate`` (800) a second: the latency at the target's load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api_load import prepared, wrk  # type: ignore[import-not-found]  # noqa: E402

from tests.deploy.topology import (  # noqa: E402
    Node,
    make_certificates,
    nginx,
    nginx_conf,
    render_site,
    stop,
)
from tests.support.processes import KOLLEGIUM, free_port, wait_healthy  # noqa: E402

ADDRESS = "127.0.8.1"
DATASET_DOMAIN = "127.0.0.1:8040"  # the domain bench/dataset.py writes into ids
TOKENS = {"reference": 1_000, "large": 10_000}


def environment(url: str, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLLEGIUM_")}
    return env | {
        "KOLLEGIUM_DOMAIN": DATASET_DOMAIN,
        "KOLLEGIUM_DATABASE_URL": url,
        "KOLLEGIUM_SECRET_KEY": secrets.token_hex(32),
        "KOLLEGIUM_DEV_INSECURE": "1",
        "KOLLEGIUM_LOG_LEVEL": "warning",
        "KOLLEGIUM_MEDIA_DIR": str(work / "media"),
    }


@contextmanager
def web_processes(env: dict[str, str], work: Path, count: int) -> Iterator[Node]:
    subprocess.run([KOLLEGIUM, "init"], env=env, cwd=work, check=True, capture_output=True)
    node = Node(DATASET_DOMAIN, ADDRESS, env, work)
    node.ports = sorted({free_port(ADDRESS) for _ in range(count * 2)})[:count]
    for port in node.ports:
        with (work / f"web-{port}.log").open("wb") as log:
            node.processes[str(port)] = subprocess.Popen(
                [KOLLEGIUM, "serve", "--host", ADDRESS, "--port", str(port), "--no-worker"],
                env=env, cwd=work, stdout=log, stderr=log,
            )  # fmt: skip
    try:
        for port in node.ports:
            wait_healthy(f"http://{ADDRESS}:{port}", node.processes[str(port)], 60)
        yield node
    finally:
        for process in node.processes.values():
            stop(process)


def check_page(target: str) -> None:
    sample = httpx.get(target, headers={"Authorization": "Bearer bench-token-1"}, verify=False)
    if sample.status_code != 200 or len(sample.json()) < 20:
        raise RuntimeError(f"the timeline is not a full page: {sample.text:.300}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database bench/dataset.py filled")
    parser.add_argument("--dataset", choices=sorted(TOKENS), default="large")
    parser.add_argument("--webs", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--warm-up",
        type=int,
        default=20,
        help="seconds of load before measuring: each process fills its kept entities",
    )
    parser.add_argument(
        "--rate",
        type=int,
        default=800,
        help="requests/s of the second measurement, paced: latency at that load (0: skip)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kollegium-bench-deploy-"))
    with ExitStack() as stack:
        url = args.database_url or stack.enter_context(prepared("postgresql", args.dataset))[0]
        node = stack.enter_context(web_processes(environment(url, work), work, args.webs))
        _ca, cert, key = make_certificates(work, [ADDRESS])
        site = render_site(node, "bench", cert, key)
        stack.enter_context(nginx(nginx_conf(work, [site], workers=2)))
        target = f"https://{ADDRESS}/api/v1/timelines/home"
        check_page(target)
        tokens = TOKENS[args.dataset]
        wrk(target, connections=args.connections, seconds=args.warm_up, tokens=tokens)
        result = wrk(target, connections=args.connections, seconds=args.seconds, tokens=tokens)
        paced = args.rate and wrk(
            target,
            connections=args.connections,
            seconds=args.seconds,
            tokens=tokens,
            rate=args.rate,
        )
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"home timeline through nginx+TLS, {args.webs} web processes, PostgreSQL, "
        f"{args.dataset} dataset, {args.connections} connections, {os.cpu_count()} cores, "
        f"after {args.warm_up} s of warm-up, {stamp} (target: >= 800 req/s, p99 <= 60 ms)\n"
        f"  as fast as it answers: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms, non-2xx {result['errors']:.0f}"
    )
    if paced:
        print(
            f"  paced at {args.rate} req/s: {paced['rps']:.0f} req/s, p50 {paced['p50']:.1f} ms, "
            f"p99 {paced['p99']:.1f} ms, non-2xx {paced['errors']:.0f}"
        )


if __name__ == "__main__":
    main()
