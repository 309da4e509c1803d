"""``kollegium check``: diagnose an instance's configuration and report each finding.

Every check returns findings; none raises. A finding is ``ok``, ``warn`` (worth a look,
the instance works) or ``FAIL`` (something is broken), and any ``FAIL`` makes the command
exit non-zero.
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from fediverse.errors import KollegiumError
from fediverse.ops.stats import (
    failing_instances,
    instance_actor_has_keys,
    queue_stats,
    unavailable_count,
)
from fediverse.settings import Settings
from fediverse.storage.database import SCHEMA_REVISION, Store, check_schema

OLDEST_DUE_WARN_SECONDS = 15 * 60
QUEUE_DEPTH_WARN = 10_000
HTTP_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Finding:
    level: str  # ok, warn or FAIL
    topic: str
    detail: str

    def line(self) -> str:
        return f"{self.level:<5} {self.topic}: {self.detail}"


Check = Callable[[Settings, Store], Awaitable[list[Finding]]]


async def run_checks(settings: Settings) -> list[Finding]:
    """Every check in order; checks that need the database run only when it answers."""
    findings = [await _check_media(settings)]
    store = Store(settings.database_url, readers=1)
    database = await _open(store)
    findings.append(database)
    if database.level == "ok":
        try:
            for check in (_check_keys, _check_queue, _check_peers):
                findings.extend(await check(settings, store))
        finally:
            await store.disconnect()
    findings.extend(await _check_domain(settings))
    return findings


async def _open(store: Store) -> Finding:
    try:
        await store.connect()
        await check_schema(store)
    except KollegiumError as exc:
        await store.disconnect()
        return Finding("FAIL", "database", exc.message)
    except Exception as exc:  # a driver error for a wrong host, password or name
        return Finding("FAIL", "database", f"cannot reach the database: {exc}")
    return Finding("ok", "database", f"reachable, schema at {SCHEMA_REVISION}")


async def _check_media(settings: Settings) -> Finding:
    directory = settings.media_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".check-"):
            pass
    except OSError as exc:
        return Finding("FAIL", "media", f"{directory} is not writable: {exc.strerror}")
    return Finding("ok", "media", f"{directory.resolve()} is writable")


async def _check_keys(settings: Settings, store: Store) -> list[Finding]:
    if await instance_actor_has_keys(store, settings.domain):
        return [Finding("ok", "keys", f"instance actor of {settings.domain} has its keys")]
    return [
        Finding("FAIL", "keys", f"no instance actor for {settings.domain}: run `kollegium init`")
    ]


async def _check_queue(_settings: Settings, store: Store) -> list[Finding]:
    stats = await queue_stats(store)
    if not stats:
        return [Finding("ok", "queue", "empty")]
    return [_queue_finding(s.name, s.queued, s.failed, s.oldest_due_seconds) for s in stats]


def _queue_finding(name: str, queued: int, failed: int, oldest: float) -> Finding:
    detail = f"{queued} queued, oldest due {oldest:.0f} s ago, {failed} failed"
    late = oldest > OLDEST_DUE_WARN_SECONDS or queued > QUEUE_DEPTH_WARN
    level = "warn" if late or failed else "ok"
    hint = "; are workers running?" if late else ""
    hint += "; see `kollegium jobs list`" if failed else ""
    return Finding(level, f"queue {name}", detail + hint)


async def _check_peers(_settings: Settings, store: Store) -> list[Finding]:
    failing = await failing_instances(store)
    if not failing:
        return [Finding("ok", "peers", "no failing instances")]
    down = await unavailable_count(store)
    names = ", ".join(f"{p.domain} ({p.failure_count})" for p in failing[:10])
    return [Finding("warn", "peers", f"{len(failing)} failing, {down} unavailable: {names}")]


async def _check_domain(settings: Settings) -> list[Finding]:
    host = urlsplit(settings.base_url).hostname or settings.domain
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        return [Finding("FAIL", "domain", f"{host} does not resolve: {exc.strerror}")]
    addresses = sorted({str(info[4][0]) for info in infos})
    found = [Finding("ok", "domain", f"{host} resolves to {', '.join(addresses)}")]
    return [*found, await _check_healthz(settings)]


async def _check_healthz(settings: Settings) -> Finding:
    url = f"{settings.base_url}/healthz"
    topic = "https" if not settings.dev_insecure else "http"
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
            response = await client.get(url)
    except httpx.ConnectError as exc:
        return Finding("FAIL", topic, f"{url} does not answer: {_reason(exc)}")
    except httpx.HTTPError as exc:
        return Finding("FAIL", topic, f"{url} failed: {_reason(exc)}")
    if response.status_code != 200:
        return Finding("FAIL", topic, f"{url} answered {response.status_code}")
    tls = ", certificate valid" if url.startswith("https:") else " (no TLS: development only)"
    return Finding("ok" if not settings.dev_insecure else "warn", topic, f"{url} is healthy{tls}")


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
