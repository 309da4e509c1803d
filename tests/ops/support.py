"""Instances with content for the operations tests: served, populated, compared table by table."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from fediverse.storage.database import sqlite_path
from fediverse.storage.tables import metadata
from tests.support.processes import (
    KOLLEGIUM,
    eventually,
    free_port,
    instance_env,
    kollegium,
    kollegium_all,
    wait_healthy,
)

PASSWORD = "lösenord-123"
MEMBERS = ("anna", "bosse")
# Leases of id nodes change with every process start; they are not the instance's data.
VOLATILE_TABLES = {"id_nodes"}


@dataclass(frozen=True)
class Instance:
    env: dict[str, str]
    cwd: Path
    domain: str

    @property
    def url(self) -> str:
        return self.env["KOLLEGIUM_DATABASE_URL"]


def make_instance(database_url: str, cwd: Path, host: str = "127.0.0.1") -> Instance:
    """An initialised instance with two members; its domain is host:port for serving."""
    domain = f"{host}:{free_port(host)}"
    env = instance_env(database_url, domain, KOLLEGIUM_MEDIA_DIR=str(cwd / "media"))
    users = [
        ("user", "create", m, "--email", f"{m}@kommun-a.se", "--password", PASSWORD)
        for m in MEMBERS
    ]
    done = kollegium_all([("init",), *users], env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return Instance(env, cwd, domain)


def run(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = kollegium(*args, env=env, cwd=cwd, timeout=120)
    assert done.returncode == 0, f"kollegium {' '.join(args)}: {done.stderr}"
    return done.stdout


@contextmanager
def served(
    instance: Instance, database_url: str | None = None, *, at_domain: bool = False, **extra: str
) -> Iterator[str]:
    """`kollegium serve` of the instance (optionally on another database): ``at_domain`` on
    the port its domain names, else on a port of its own. The package's populated instance
    is served at its domain all along; a second server there failed to bind while its
    health check found the first one, and the tests read the original instead of the
    restored or migrated copy."""
    env = dict(instance.env) | extra
    if database_url:
        env["KOLLEGIUM_DATABASE_URL"] = database_url
    host, own_port = instance.domain.split(":")
    port = own_port if at_domain else str(free_port(host))
    log = (instance.cwd / f"serve-{port}.log").open("ab")
    process = subprocess.Popen(
        [KOLLEGIUM, "serve", "--host", host, "--port", port],
        env=env, cwd=instance.cwd, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base_url = f"http://{host}:{port}"
    try:
        wait_healthy(base_url, process, 20)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def sign_in(client: httpx.Client, member: str) -> dict[str, str]:
    """Authorization headers of ``member``, by the OAuth password grant."""
    app = client.post(
        "/api/v1/apps",
        json={"client_name": "ops-test", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
              "scopes": "read write follow"},
    ).json()  # fmt: skip
    token = client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": f"{member}@kommun-a.se",
              "password": PASSWORD, "client_id": app["client_id"],
              "client_secret": app["client_secret"], "scope": "read write follow"},
    )  # fmt: skip
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def populate(base_url: str, statuses: int = 6) -> dict[str, Any]:
    """Anna posts, Bosse follows her and favourites her first post; returns what was made."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        anna, bosse = sign_in(client, "anna"), sign_in(client, "bosse")
        posted = [
            client.post("/api/v1/statuses", headers=anna, json={"status": f"Möte nr {n} #fika"})
            for n in range(statuses)
        ]
        assert all(r.status_code == 200 for r in posted), posted[-1].text
        anna_id = client.get("/api/v1/accounts/verify_credentials", headers=anna).json()["id"]
        followed = client.post(f"/api/v1/accounts/{anna_id}/follow", headers=bosse)
        assert followed.status_code == 200, followed.text
        first = posted[0].json()["id"]
        assert client.post(f"/api/v1/statuses/{first}/favourite", headers=bosse).status_code == 200
    return {"anna_id": anna_id, "status_ids": [r.json()["id"] for r in posted], "bosse": bosse}


def settled(database_url: str) -> None:
    """Wait until the running server's filler has written every pending post's home feeds
    (fediverse.feeds), so that the database stops changing under a comparison."""

    def drained() -> bool:
        with sqlite3.connect(sqlite_path(database_url)) as db:  # type: ignore[arg-type]
            return bool(db.execute("SELECT count(*) FROM feed_pending").fetchone()[0] == 0)

    eventually(drained, "the posts' home feeds filled")


def home_timeline(base_url: str, headers: dict[str, str]) -> list[tuple[str, str]]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        response = client.get("/api/v1/timelines/home", headers=headers, params={"limit": 40})
    assert response.status_code == 200, response.text
    return [(s["id"], s["content"]) for s in response.json()]


def snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the volatile ones, sorted, booleans as 0 and 1."""
    if sqlite_path(database_url) is not None:
        raw = _sqlite_rows(database_url)
    else:
        raw = asyncio.run(_postgres_rows(database_url))
    return {name: sorted(_plain(row) for row in rows) for name, rows in raw.items()}


def _tables() -> list[tuple[str, list[str]]]:
    return [
        (t.name, [c.name for c in t.columns])
        for t in metadata.sorted_tables
        if t.name not in VOLATILE_TABLES
    ]


def _sqlite_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(sqlite_path(database_url)) as db:  # type: ignore[arg-type]
        return {
            name: db.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()
            for name, columns in _tables()
        }


async def _postgres_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(database_url)
    try:
        found = {}
        for name, columns in _tables():
            rows = await conn.fetch(f'SELECT {", ".join(columns)} FROM "{name}"')
            found[name] = [tuple(r) for r in rows]
        return found
    finally:
        await conn.close()


def _plain(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(int(v) if isinstance(v, bool) else ("" if v is None else v) for v in row)
