"""Group fan-out: a post to a group with 5,000 members on 50 instances, receivers on loopback.

Run as ``.venv/bin/python bench/bench_group_fanout.py``. One receiver process (aiohttp)
listens on 50 loopback ports, each port one instance with its own shared inbox, and notes
when each instance first hears of the post. 100 members on each of them follow an open
group on a `kollegium serve` process (SQLite, in-process worker). A member posts to the
group through the API; the clock starts when the API has accepted the post (201/200) and
stops when the last instance's inbox has received the group's announce. The group sends
two announces per inbox (``Announce(Create)`` and ``Announce`` of the post); the figure is
the first of them. Target (issue 6): every instance within 3 s.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fediverse.groups import NewGroup, create_group
from fediverse.runtime import open_runtime
from fediverse.settings import load_settings
from tests.support.processes import free_port, instance_env, kollegium, serving

INSTANCES = 50
MEMBERS_PER_INSTANCE = 100
FIRST_PORT = 21_000  # below the ephemeral range, so no outgoing connection holds one
PASSWORD = "lösenord-123"

RECEIVER = textwrap.dedent(
    """
    import asyncio, json, signal, sys, time
    from aiohttp import web
    first = {}
    count = [0]
    async def inbox(request):
        await request.read()
        count[0] += 1
        first.setdefault(request.host, time.time())
        return web.Response(status=202)
    async def main(start, instances, out):
        app = web.Application()
        app.router.add_post("/inbox", inbox)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for port in range(start, start + instances):
            await web.TCPSite(runner, "127.0.0.1", port, backlog=256).start()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        open(out + ".ready", "w").close()
        while not stop.is_set():
            json.dump({"first": first, "count": count[0]}, open(out + ".tmp", "w"))
            try:
                await asyncio.wait_for(stop.wait(), 0.05)
            except asyncio.TimeoutError:
                pass
        json.dump({"first": first, "count": count[0]}, open(out, "w"))
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
    """
)


def prepare(cwd: Path, port: int) -> dict[str, str]:
    env = instance_env(
        f"sqlite:///{cwd / 'k.db'}",
        f"127.0.0.1:{port}",
        KOLLEGIUM_FEDERATION_MODE="blocklist",
        KOLLEGIUM_MEDIA_DIR=str(cwd / "media"),
    )
    for args in (
        ["init"],
        ["user", "create", "alice", "--email", "alice@example.com", "--password", PASSWORD],
    ):
        done = kollegium(*args, env=env, cwd=cwd)
        assert done.returncode == 0, done.stderr
    return env


async def make_group(env: dict[str, str]) -> int:
    settings = load_settings(env, env_file=None)
    async with open_runtime(settings) as runtime, runtime.store.read() as conn:
        alice = await conn.fetch_val("SELECT id FROM accounts WHERE username = 'alice'")
    async with open_runtime(settings) as runtime:
        return await create_group(runtime, int(alice), NewGroup("kollegiet", privacy="open"))


def add_members(db: Path, group_id: int) -> None:
    """5,000 remote members, following the group as accepted remote follows are stored."""
    now = int(time.time() * 1000)
    con = sqlite3.connect(db)
    n = 0
    for i in range(INSTANCES):
        host = f"127.0.0.1:{FIRST_PORT + i}"
        for m in range(MEMBERS_PER_INSTANCE):
            actor = f"http://{host}/users/m{m}"
            inboxes = (f"{actor}/inbox", f"http://{host}/inbox")
            con.execute(
                "INSERT INTO accounts (id, username, domain, uri, inbox_url, shared_inbox_url, "
                "fetched_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (10_000_000 + n, f"m{m}", host, actor, *inboxes, now, now, now),
            )
            con.execute(
                "INSERT INTO follows (id, account_id, target_account_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                (20_000_000 + n, 10_000_000 + n, group_id, now),
            )
            n += 1
    con.execute(
        "UPDATE accounts SET followers_count = followers_count + ? WHERE id = ?", (n, group_id)
    )
    con.commit()
    con.close()


def token(base_url: str) -> str:
    app = httpx.post(
        f"{base_url}/api/v1/apps",
        data={
            "client_name": "bench",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "write",
        },
    ).json()
    answer = httpx.post(
        f"{base_url}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": "alice",
            "password": PASSWORD,
            "scope": "write",
        },
    )
    return str(answer.json()["access_token"])


def heard(out: Path) -> dict[str, float]:
    try:
        return dict(json.loads(Path(str(out) + ".tmp").read_text())["first"])
    except (OSError, ValueError):
        return {}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        port = free_port()
        env = prepare(cwd, port)
        group_id = asyncio.run(make_group(env))
        add_members(cwd / "k.db", group_id)
        out = cwd / "seen.json"
        receiver = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(FIRST_PORT), str(INSTANCES), str(out)]
        )
        deadline = time.time() + 60
        while not Path(str(out) + ".ready").exists() and time.time() < deadline:
            time.sleep(0.1)
        try:
            with serving(env, cwd, "127.0.0.1", port=port) as base_url:
                headers = {"Authorization": f"Bearer {token(base_url)}"}
                posted = httpx.post(
                    f"{base_url}/api/v1/statuses",
                    data={"status": "@kollegiet Hej alla kommuner!"},
                    headers=headers,
                    timeout=30,
                )
                accepted = time.time()
                assert posted.status_code == 200, posted.text
                while len(heard(out)) < INSTANCES and time.time() < accepted + 60:
                    time.sleep(0.02)
                time.sleep(1.0)  # let the second announce arrive too, for the count
        finally:
            receiver.send_signal(signal.SIGTERM)
            receiver.wait(timeout=60)
        seen = json.loads(out.read_text())
        delays = sorted(t - accepted for t in seen["first"].values())
        last = delays[-1] if delays else float("nan")
        print(
            f"group fan-out: {len(delays)} of {INSTANCES} instances "
            f"({INSTANCES * MEMBERS_PER_INSTANCE:,} members) heard the post; first after "
            f"{delays[0]:.2f} s, median {delays[len(delays) // 2]:.2f} s, last {last:.2f} s "
            f"after the API accepted it ({seen['count']} POSTs; target: all within 3 s: "
            f"{'met' if len(delays) == INSTANCES and last <= 3 else 'not met'})"
        )


if __name__ == "__main__":
    main()
