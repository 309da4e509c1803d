"""Delivery throughput: one status to followers on 1,000 instances, receivers on loopback.

Run as ``.venv/bin/python bench/bench_delivery.py``. A receiver process (aiohttp) listens on
1,000 loopback ports, each port one instance with its own shared inbox; 1,000 remote
accounts there follow a local account. The bench enqueues the ``federate`` jobs of a few
statuses and starts one ``kollegium worker``: the worker fans out one ``deliver`` job per
inbox, signs each with the author's key and POSTs it. The figure is deliveries per second
between the first and the last POST the receivers saw. Target (issue 4): at least 1,000/s.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.processes import KOLLEGIUM, instance_env, kollegium

INSTANCES = 1_000
STATUSES = 3
FIRST_PORT = 20_000  # below the ephemeral range, so no outgoing connection holds one

RECEIVER = textwrap.dedent(
    """
    import asyncio, json, signal, sys, time
    from aiohttp import web
    seen = []
    async def inbox(request):
        await request.read()
        seen.append(time.time())
        return web.Response(status=202)
    async def main(first, count, out):
        app = web.Application()
        app.router.add_post("/inbox", inbox)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for port in range(first, first + count):
            await web.TCPSite(runner, "127.0.0.1", port, backlog=256).start()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        open(out + ".ready", "w").close()
        await stop.wait()
        json.dump(seen, open(out, "w"))
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
    """
)


def prepare(cwd: Path) -> dict[str, str]:
    env = instance_env(
        f"sqlite:///{cwd / 'k.db'}", "127.0.0.1:41999", KOLLEGIUM_FEDERATION_MODE="blocklist"
    )
    for args in (
        ["init"],
        ["user", "create", "alice", "--email", "alice@example.com", "--password", "x" * 12],
    ):
        done = kollegium(*args, env=env, cwd=cwd)
        assert done.returncode == 0, done.stderr
    return env


def followers_and_statuses(db: Path) -> None:
    now = int(time.time() * 1000)
    con = sqlite3.connect(db)
    alice, uri = con.execute("SELECT id, uri FROM accounts WHERE username = 'alice'").fetchone()
    for n in range(INSTANCES):
        host = f"127.0.0.1:{FIRST_PORT + n}"
        actor = f"http://{host}/users/u"
        con.execute(
            "INSERT INTO accounts (id, username, domain, uri, inbox_url, shared_inbox_url, "
            "fetched_at, created_at, updated_at) VALUES (?, 'u', ?, ?, ?, ?, ?, ?, ?)",
            (10_000_000 + n, host, actor, f"{actor}/inbox", f"http://{host}/inbox", now, now, now),
        )
        con.execute(
            "INSERT INTO follows (id, account_id, target_account_id, created_at) VALUES (?,?,?,?)",
            (20_000_000 + n, 10_000_000 + n, alice, now),
        )
    for s in range(STATUSES):
        status_id = 30_000_000 + s
        con.execute(
            "INSERT INTO statuses (id, account_id, uri, local, content, visibility, local_only, "
            "created_at) VALUES (?, ?, ?, 1, ?, 'public', 0, ?)",
            (status_id, alice, f"{uri}/statuses/{status_id}", "<p>Hej alla kommuner</p>", now),
        )
        con.execute(
            "INSERT INTO jobs (id, name, payload, state, attempts, max_attempts, run_at, created_at) "
            "VALUES (?, 'federate', ?, 'queued', 0, 10, ?, ?)",
            (
                40_000_000 + s,
                json.dumps({"kind": "status.create", "status_id": status_id}),
                now,
                now,
            ),
        )
    con.commit()
    con.close()


def jobs_left(db: Path) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return int(con.execute("SELECT count(*) FROM jobs WHERE state != 'failed'").fetchone()[0])
    finally:
        con.close()


def failed(db: Path) -> list[str]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return [
            r[0]
            for r in con.execute("SELECT last_error FROM jobs WHERE last_error IS NOT NULL LIMIT 3")
        ]
    finally:
        con.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        env = prepare(cwd)
        followers_and_statuses(cwd / "k.db")
        out = cwd / "seen.json"
        receiver = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(FIRST_PORT), str(INSTANCES), str(out)]
        )
        deadline = time.time() + 60
        while not Path(str(out) + ".ready").exists() and time.time() < deadline:
            time.sleep(0.1)
        log = (cwd / "worker.log").open("wb")
        started = time.time()
        worker = subprocess.Popen(
            [KOLLEGIUM, "worker", "--concurrency", os.environ.get("BENCH_CONCURRENCY", "100")],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            while jobs_left(cwd / "k.db") and time.time() < started + 300:
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            log.close()
            receiver.send_signal(signal.SIGTERM)
            receiver.wait(timeout=60)
        seen = sorted(json.loads(out.read_text()))
        expected = INSTANCES * STATUSES
        span = seen[-1] - seen[0] if len(seen) > 1 else float("nan")
        print(
            f"delivery: {len(seen)} of {expected} deliveries to {INSTANCES} instances in "
            f"{span:.2f} s = {len(seen) / span:,.0f}/s (one `kollegium worker`, aiohttp sender, "
            f"signed draft-cavage RSA-2048; {time.time() - started:.1f} s with start-up)"
        )
        if len(seen) < expected:
            print("errors:", failed(cwd / "k.db"))


if __name__ == "__main__":
    main()
