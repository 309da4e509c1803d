"""Inbox throughput: signed Create(Note) from cached remote actors, into one server process.

Run as ``.venv/bin/python bench/bench_inbox.py``. It starts ``kollegium serve --no-worker``
on SQLite, caches remote actors in its database, POSTs pre-signed activities with an aiohttp
client in this process (keep-alive, many at once), and counts 202s per second: each one
verified, deduplicated and stored with its job. Then it starts ``kollegium worker`` alone
and measures how fast the stored activities become statuses and notifications.
Targets (issue 4): at least 3,000 accepted/s, at least 500 processed/s.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from activitypub.keys import generate_rsa_private_key, public_key_to_pem
from activitypub.signatures import Scheme, sign_request
from tests.support.processes import (
    KOLLEGIUM,
    free_port,
    instance_env,
    kollegium,
    wait_healthy,
)

ACTORS = 200
KEYS = 8  # distinct RSA keys, shared round-robin (generation is slow; verifying costs the same)
WARMUP = 1_000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "24000"))
WRK_SECONDS = 5
PROCESSING_SECONDS = 60
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "64"))
REMOTE = "https://remote{n}.example/users/u{n}"


def prepare(cwd: Path, domain: str) -> dict[str, str]:
    env = instance_env(f"sqlite:///{cwd / 'k.db'}", domain, KOLLEGIUM_FEDERATION_MODE="blocklist")
    for args in (
        ["init"],
        ["user", "create", "alice", "--email", "alice@example.com", "--password", "x" * 12],
    ):
        done = kollegium(*args, env=env, cwd=cwd)
        assert done.returncode == 0, done.stderr
    return env


def cache_actors(db: Path, keys: list[object]) -> None:
    """Remote accounts as federation caches them, each followed by alice."""
    now = int(time.time() * 1000)
    con = sqlite3.connect(db)
    alice = con.execute("SELECT id FROM accounts WHERE username = 'alice'").fetchone()[0]
    for n in range(ACTORS):
        uri = REMOTE.format(n=n)
        pem = public_key_to_pem(keys[n % KEYS].public_key())  # type: ignore[attr-defined]
        account_id = 10_000_000 + n
        con.execute(
            "INSERT INTO accounts (id, username, domain, uri, inbox_url, shared_inbox_url, "
            "followers_url, public_key_id, public_key_pem, fetched_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                account_id,
                f"u{n}",
                f"remote{n}.example",
                uri,
                f"{uri}/inbox",
                f"https://remote{n}.example/inbox",
                f"{uri}/followers",
                f"{uri}#main-key",
                pem,
                now,
                now,
                now,
            ),
        )
        con.execute(
            "INSERT INTO follows (id, account_id, target_account_id, created_at) VALUES (?,?,?,?)",
            (20_000_000 + n, alice, account_id, now),
        )
    con.commit()
    con.close()


def activity(n: int, i: int, alice: str) -> bytes:
    actor = REMOTE.format(n=n)
    note = {
        "id": f"{actor}/statuses/{i}",
        "type": "Note",
        "attributedTo": actor,
        "content": f'<p>Hej <span class="h-card"><a href="{alice}" class="u-url mention">@alice</a></span> nummer {i}</p>',
        "published": "2026-11-27T10:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [f"{actor}/followers", alice],
        "tag": [{"type": "Mention", "href": alice, "name": "@alice"}],
    }
    document = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/statuses/{i}/activity",
        "type": "Create",
        "actor": actor,
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }
    return json.dumps(document).encode()


def signed_requests(
    base_url: str, keys: list[object], count: int, start: int
) -> list[tuple[bytes, dict[str, str]]]:
    alice = f"{base_url}/users/alice"
    made = []
    for i in range(start, start + count):
        n = i % ACTORS
        body = activity(n, i, alice)
        headers = sign_request(
            scheme=Scheme.CAVAGE,
            method="POST",
            url=f"{base_url}/inbox",
            headers={"Content-Type": "application/activity+json"},
            body=body,
            key=keys[n % KEYS],  # type: ignore[arg-type]
            key_id=f"{REMOTE.format(n=n)}#main-key",
            now=time.time(),
        )
        if os.environ.get("BENCH_UNSIGNED"):
            headers.pop("Signature")
        made.append((body, headers))
    return made


async def blast(
    base_url: str, requests: list[tuple[bytes, dict[str, str]]]
) -> tuple[float, dict[int, int]]:
    statuses: dict[int, int] = {}
    queue = iter(requests)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def runner() -> None:
            for body, headers in queue:
                async with session.post(f"{base_url}/inbox", data=body, headers=headers) as r:
                    await r.read()
                    statuses[r.status] = statuses.get(r.status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(runner() for _ in range(CONCURRENCY)))
        return time.perf_counter() - started, statuses


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def wrk_script(path: Path, requests: list[tuple[bytes, dict[str, str]]]) -> None:
    """A wrk script that sends each pre-signed request once, in order (one wrk thread)."""
    lines = ["local reqs = {}"]
    for body, headers in requests:
        pairs = ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in headers.items())
        lines.append(
            f'reqs[#reqs + 1] = wrk.format("POST", "/inbox", {{{pairs}}}, {lua_string(body.decode())})'
        )
    lines += [
        "local i = 0",
        "request = function()",
        "  i = i + 1",
        "  if i > #reqs then i = 1 end",
        "  return reqs[i]",
        "end",
        "local shown = 0",
        "response = function(status, headers, body)",
        "  if status ~= 202 and shown < 3 then shown = shown + 1; io.stderr:write(status .. ' ' .. body .. '\\n') end",
        "end",
    ]
    path.write_text("\n".join(lines) + "\n")


def blast_wrk(base_url: str, script: Path, seconds: int) -> tuple[float, dict[int, int], str]:
    done = subprocess.run(
        ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", "-s", str(script), f"{base_url}/inbox"],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout + done.stderr[:2000]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refused = int(bad.group(1)) if bad else 0
    return float(seconds), {202: total - refused, 0: refused}, out


def count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def measure_processing(
    cwd: Path, env: dict[str, str], db: Path, total: int
) -> tuple[float, int, int]:
    log = (cwd / "worker.log").open("wb")
    worker = subprocess.Popen(
        [KOLLEGIUM, "worker", "--concurrency", "50"],
        env=env,
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    started = time.perf_counter()
    deadline = started + PROCESSING_SECONDS
    try:
        done = 0
        while time.perf_counter() < deadline:
            done = count(
                db, "SELECT count(*) FROM received_activities WHERE processed_at IS NOT NULL"
            )
            if done >= total:
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    statuses = count(db, "SELECT count(*) FROM statuses WHERE local = 0")
    notes = count(db, "SELECT count(*) FROM notifications WHERE type = 'mention'")
    return elapsed, done, statuses, notes


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        port = free_port("127.0.0.1")
        env = prepare(cwd, f"127.0.0.1:{port}")
        keys = [generate_rsa_private_key() for _ in range(KEYS)]
        cache_actors(cwd / "k.db", keys)
        base_url = f"http://127.0.0.1:{port}"
        warm = signed_requests(base_url, keys, WARMUP, 0)
        load = signed_requests(base_url, keys, REQUESTS, WARMUP)
        log = (cwd / "serve.log").open("wb")
        command = [KOLLEGIUM, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"]
        if os.environ.get("BENCH_PROFILE"):  # a profiled server: see /tmp/prof_serve.py
            command = [sys.executable, os.environ["BENCH_PROFILE"], str(port), "25"]
        server = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(base_url, server, 20)
            asyncio.run(
                blast(base_url, warm[: len(warm) // 5 if os.environ.get("BENCH_PROFILE") else None])
            )
            if shutil.which("wrk"):
                wrk_script(cwd / "inbox.lua", load)
                elapsed, statuses, out = blast_wrk(base_url, cwd / "inbox.lua", WRK_SECONDS)
                if statuses.get(0):
                    print(out)
                client = "wrk"
            else:
                elapsed, statuses = asyncio.run(blast(base_url, load))
                client = "aiohttp"
            time.sleep(1.0)
        finally:
            if not os.environ.get("BENCH_PROFILE"):
                server.terminate()
            server.wait(timeout=60)
            log.close()
        accepted = statuses.get(202, 0)
        stored = count(cwd / "k.db", "SELECT count(*) FROM received_activities")
        print(
            f"inbox: {accepted} signed Create(Note) accepted in {elapsed:.2f} s = "
            f"{accepted / elapsed:,.0f}/s ({statuses.get(0, 0)} refused; {stored} stored in all; "
            f"one server process, SQLite, {client} client with {CONCURRENCY} connections, "
            f"{ACTORS} cached actors)"
        )
        if os.environ.get("BENCH_ONLY_INBOX"):
            return
        seconds, done, made, mentions = measure_processing(cwd, env, cwd / "k.db", stored)
        print(
            f"processing: {done} of {stored} activities processed into {made} statuses and "
            f"{mentions} notifications in {seconds:.2f} s = {done / seconds:,.0f}/s "
            "(one `kollegium worker`, SQLite)"
        )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
