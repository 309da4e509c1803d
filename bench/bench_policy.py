"""What the federation policy check adds to an inbox request (issue 6 figure: at most 50 µs).

Run as ``.venv/bin/python bench/bench_policy.py``. One app in this process (the ActivityPub
routes over httpx's ASGI transport, SQLite), allowlist mode with ``ALLOWED`` domains
allowed, remote actors cached with their keys. It sends signed Create(Note) activities to
``/inbox`` one at a time, alternating blocks with the policy check and without it (the
check replaced by a no-op), and prints the median request time of each and the
difference. The inbox asks the policy twice per request (the actor's domain and the key's);
the cost of exactly those two questions is measured alone too, as a cross-check, since the
A/B difference of whole requests (about a millisecond each, most of it the store) is noisy.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from starlette.applications import Starlette

from activitypub.keys import generate_rsa_private_key, public_key_to_pem
from activitypub.signatures import Scheme, sign_request
from federation.http import build_client
from federation.policy import Policy
from fediverse.accounts import NewUser, create_user, ensure_instance_actor
from fediverse.instances import set_domain_policy
from fediverse.runtime import open_runtime
from fediverse.settings import load_settings
from fediverse.storage.migrate import upgrade
from fediverse.storage.tables import accounts
from web.activitypub import activitypub_routes
from web.activitypub.common import federation_of
from web.errors import EXCEPTION_HANDLERS

DOMAIN = "kommun-a.example"
ALLOWED = 300  # about every municipality of Sweden
ACTORS = 50
BLOCK = 100
ROUNDS = 12
REMOTE = "https://kommun{n}.example/users/u{n}"


def refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the benchmark must not leave the process: {request.url}")


async def cache_actors(runtime: Any, key: Any) -> None:
    pem = public_key_to_pem(key.public_key())
    now = int(time.time() * 1000)
    async with runtime.store.write() as conn:
        for n in range(ACTORS):
            uri = REMOTE.format(n=n)
            await conn.execute(
                accounts.insert().values(
                    id=runtime.store.new_id(),
                    username=f"u{n}",
                    domain=f"kommun{n}.example",
                    uri=uri,
                    inbox_url=f"{uri}/inbox",
                    followers_url=f"{uri}/followers",
                    public_key_id=f"{uri}#main-key",
                    public_key_pem=pem,
                    fetched_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )


def signed(base_url: str, key: Any, i: int) -> tuple[bytes, dict[str, str]]:
    actor = REMOTE.format(n=i % ACTORS)
    note = {
        "id": f"{actor}/statuses/{i}",
        "type": "Note",
        "attributedTo": actor,
        "content": f"<p>Hej nummer {i}</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [f"{actor}/followers"],
    }
    body = json.dumps(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor}/statuses/{i}/activity",
            "type": "Create",
            "actor": actor,
            "to": note["to"],
            "cc": note["cc"],
            "object": note,
        }
    ).encode()
    headers = sign_request(
        scheme=Scheme.CAVAGE,
        method="POST",
        url=f"{base_url}/inbox",
        headers={"Content-Type": "application/activity+json"},
        body=body,
        key=key,
        key_id=f"{actor}#main-key",
        now=time.time(),
    )
    return body, headers


async def no_check(_domain: str) -> None:
    return None


async def timed_requests(
    client: httpx.AsyncClient, requests: list[tuple[bytes, dict[str, str]]]
) -> list[float]:
    times = []
    for body, headers in requests:
        started = time.perf_counter()
        response = await client.post("/inbox", content=body, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 202, response.text
    return times


async def two_questions(policy: Policy, rounds: int = 200_000) -> float:
    """Seconds per pair of questions, as the inbox asks them, on a warm snapshot."""
    await policy.check("kommun7.example")
    started = time.perf_counter()
    for n in range(rounds):
        domain = f"kommun{n % ACTORS}.example"
        await policy.check(domain)
        await policy.check(domain)
    return (time.perf_counter() - started) / rounds


async def measure(database_url: str) -> None:
    settings = load_settings(
        {
            "KOLLEGIUM_DOMAIN": DOMAIN,
            "KOLLEGIUM_SECRET_KEY": "b" * 40,
            "KOLLEGIUM_DATABASE_URL": database_url,
            "KOLLEGIUM_FEDERATION_MODE": "allowlist",
            "KOLLEGIUM_LOG_LEVEL": "error",
        },
        env_file=None,
    )
    key = generate_rsa_private_key()
    async with (
        open_runtime(settings) as runtime,
        build_client(settings, transport=httpx.MockTransport(refuse)) as http,
    ):
        await ensure_instance_actor(runtime.store, DOMAIN, settings.base_url)
        await create_user(runtime.store, settings.base_url, NewUser("alice", "a@example.com", None))
        for n in range(ALLOWED):
            await set_domain_policy(runtime.store, f"kommun{n}.example", "allow", actor="bench")
        await cache_actors(runtime, key)
        app = Starlette(routes=activitypub_routes(), exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
        app.state.runtime, app.state.http = runtime, http
        fed = federation_of(type("R", (), {"app": app})())  # type: ignore[arg-type]
        real_check = fed.policy.check
        total = BLOCK * ROUNDS * 2 + BLOCK
        prepared = [signed(settings.base_url, key, i) for i in range(total)]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            await timed_requests(client, prepared[:BLOCK])  # warm-up: keys loaded, caches full
            with_policy: list[float] = []
            without: list[float] = []
            for r in range(ROUNDS):
                start = BLOCK + r * 2 * BLOCK
                fed.policy.check = real_check  # type: ignore[method-assign]
                with_policy += await timed_requests(client, prepared[start : start + BLOCK])
                fed.policy.check = no_check  # type: ignore[method-assign]
                without += await timed_requests(client, prepared[start + BLOCK : start + 2 * BLOCK])
            fed.policy.check = real_check  # type: ignore[method-assign]
        pair = await two_questions(fed.policy)
    report(with_policy, without, pair)


def report(with_policy: list[float], without: list[float], pair: float) -> None:
    med_with = statistics.median(with_policy) * 1e6
    med_without = statistics.median(without) * 1e6
    print(f"inbox requests: {len(with_policy)} with the policy check, {len(without)} without")
    print(f"median request with the check:    {med_with:8.1f} µs")
    print(f"median request without the check: {med_without:8.1f} µs")
    print(f"difference of medians:            {med_with - med_without:8.1f} µs (noisy)")
    print(f"the two policy questions alone:   {pair * 1e6:8.2f} µs per request")
    added = max(med_with - med_without, pair * 1e6)
    verdict = "met" if added <= 50 else "NOT met"
    print(f"figure: the policy check adds {added:.1f} µs to an inbox request ({verdict}: <= 50 µs)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'k.db'}"
        upgrade(url)
        asyncio.run(measure(url))


if __name__ == "__main__":
    main()
