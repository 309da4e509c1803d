"""Memory of one server process holding 10,000 cached remote actors.

Run as ``.venv/bin/python bench/bench_actor_memory.py``. 10,000 remote accounts are cached
in the database; each sends one signed activity, so the server loads and keeps every
actor's public key in memory (federation.actors.KeyCache). The figure is the resident
memory of the ``kollegium serve`` process afterwards. Target (issue 4): at most 150 MB.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_inbox
import psutil

from activitypub.keys import generate_rsa_private_key
from tests.support.processes import KOLLEGIUM, free_port, wait_healthy

ACTORS = 10_000


def main() -> None:
    bench_inbox.ACTORS = ACTORS
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        port = free_port("127.0.0.1")
        env = bench_inbox.prepare(cwd, f"127.0.0.1:{port}")
        keys = [generate_rsa_private_key() for _ in range(bench_inbox.KEYS)]
        bench_inbox.cache_actors(cwd / "k.db", keys)
        base_url = f"http://127.0.0.1:{port}"
        requests = bench_inbox.signed_requests(base_url, keys, ACTORS, 0)
        log = (cwd / "serve.log").open("wb")
        command = [KOLLEGIUM, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"]
        server = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(base_url, server, 20)
            before = psutil.Process(server.pid).memory_info().rss
            _elapsed, statuses = asyncio.run(bench_inbox.blast(base_url, requests))
            time.sleep(1.0)
            after = psutil.Process(server.pid).memory_info().rss
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        print(
            f"memory: serve process RSS {after / 2**20:.0f} MB after {statuses.get(202, 0)} "
            f"actors' keys were loaded and kept ({before / 2**20:.0f} MB at start; "
            f"{ACTORS} cached remote actors)"
        )


if __name__ == "__main__":
    main()
