"""Delivery: fan-out to shared inboxes, signing, double-knocking, retries, dead peers, policy."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select, update

from activitypub.signatures import Scheme, detect_scheme
from federation.delivery import DELIVER_ATTEMPTS, attempts_for
from federation.peers import Peers
from fediverse.instances import set_domain_policy
from fediverse.jobs.backoff import BASE_MS, CAP_MS, JITTER
from fediverse.remote_relations import add_follow
from fediverse.statuses import NewStatus, create_status
from fediverse.storage.tables import instances, jobs
from tests.federation.support import Bench, remote_actor

FELIX = "https://mastodon.madrid/users/felix"
BOB = "https://mastodon.madrid/users/bob"
PICARD = "https://enterprise.lemmy.ml/u/picard"


async def remote_follower(bench: Bench, template: str, uri: str, local_id: int) -> None:
    bench.remote.add_actor(remote_actor(template, uri))
    account = await bench.federation.actors.by_uri(uri)
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, account.id, local_id, f"{uri}#follows/1")


async def post(bench: Bench, author: int, **extra: Any) -> int:
    new = NewStatus(text="Hej alla", visibility="public", local_only=False, **extra)
    return await create_status(bench.runtime, author, new)


async def test_delivery__one_post_per_shared_inbox_signed_by_the_author(bench: Bench) -> None:
    alice = await bench.user("alice")
    await remote_follower(bench, "mastodon/actor.json", FELIX, alice)
    await remote_follower(bench, "mastodon/actor.json", BOB, alice)
    await remote_follower(bench, "lemmy/actor.json", PICARD, alice)
    await post(bench, alice)
    await bench.run_jobs()
    inboxes = sorted(url for url, _body, _headers in bench.remote.posted)
    assert inboxes == ["https://enterprise.lemmy.ml/inbox", "https://mastodon.madrid/inbox"]
    _url, body, headers = bench.remote.posted[0]
    assert body["type"] == "Create" and body["object"]["content"].startswith("<p>Hej alla")
    assert f'keyId="{bench.actor_uri("alice")}#main-key"' in headers["signature"]


async def test_delivery__local_only_posts_never_leave(bench: Bench) -> None:
    alice = await bench.user("alice")
    await remote_follower(bench, "mastodon/actor.json", FELIX, alice)
    await create_status(
        bench.runtime, alice, NewStatus(text="Internt", visibility="public", local_only=True)
    )
    await bench.run_jobs()
    assert bench.remote.posted == []


async def test_delivery__a_blocked_domain_is_never_delivered_to(bench: Bench) -> None:
    alice = await bench.user("alice")
    await remote_follower(bench, "mastodon/actor.json", FELIX, alice)
    await set_domain_policy(bench.store, "mastodon.madrid", "suspend", actor="test")
    bench.federation.policy.forget()
    await post(bench, alice)
    await bench.run_jobs()
    assert bench.remote.posted == []


async def test_delivery__double_knocks_on_401_and_remembers_the_scheme(bench: Bench) -> None:
    alice = await bench.user("alice")
    await remote_follower(bench, "mastodon/actor.json", FELIX, alice)
    seen: list[Scheme] = []

    def only_rfc9421(request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return bench.remote.handle(request)
        scheme = detect_scheme(dict(request.headers))
        seen.append(scheme)
        return httpx.Response(202 if scheme is Scheme.RFC9421 else 401)

    bench.http._transport._inner = httpx.MockTransport(only_rfc9421)  # type: ignore[attr-defined]
    await post(bench, alice)
    await bench.run_jobs()
    assert seen == [Scheme.CAVAGE, Scheme.RFC9421]
    async with bench.store.read() as conn:
        scheme = await conn.fetch_val(
            select(instances.c.signature_scheme).where(instances.c.domain == "mastodon.madrid")
        )
    assert scheme == Scheme.RFC9421.value
    await post(bench, alice)
    await bench.run_jobs()
    assert seen[-1] is Scheme.RFC9421 and len(seen) == 3


async def test_delivery__a_failing_peer_is_retried_later(bench: Bench) -> None:
    alice = await bench.user("alice")
    await remote_follower(bench, "mastodon/actor.json", FELIX, alice)
    bench.remote.inbox_status = 503
    await post(bench, alice)
    await bench.run_jobs()
    async with bench.store.read() as conn:
        row = await conn.fetch_one(
            select(jobs.c.state, jobs.c.attempts, jobs.c.max_attempts).where(
                jobs.c.name == "deliver"
            )
        )
    assert row is not None and (row[0], row[1], row[2]) == ("queued", 1, DELIVER_ATTEMPTS)
    bench.remote.inbox_status = 202
    async with bench.store.write() as conn:
        await conn.execute(update(jobs).values(run_at=0))
    await bench.run_jobs()
    async with bench.store.read() as conn:
        left = await conn.fetch_all(
            select(jobs.c.name, jobs.c.state, jobs.c.last_error, jobs.c.run_at)
        )
    assert [tuple(r._mapping.values()) for r in left] == []


def test_delivery__retries_span_more_than_two_days_whatever_the_jitter() -> None:
    worst = sum(
        min(BASE_MS * 2 ** (n - 1), CAP_MS) * (1 - JITTER) for n in range(1, DELIVER_ATTEMPTS)
    )
    assert worst >= 2 * 24 * 3_600_000
    assert attempts_for(0) == 1


async def test_peers__a_peer_failing_for_an_hour_is_unavailable_until_it_answers(
    bench: Bench,
) -> None:
    peers = Peers(bench.store)
    for _ in range(10):
        await peers.failed("dead.example")
    assert not peers.is_unavailable("dead.example")  # failures within minutes are not enough
    peers._failing["dead.example"] -= 2 * 3_600_000
    await peers.failed("dead.example")
    assert peers.is_unavailable("dead.example")
    assert not peers.may_try("dead.example")  # nothing for an hour
    peers._unavailable["dead.example"] -= 3_601
    assert peers.may_try("dead.example")  # then one probe
    assert not peers.may_try("dead.example")  # and then it waits
    await peers.succeeded("dead.example")
    assert peers.may_try("dead.example")
    async with bench.store.read() as conn:
        row = await conn.fetch_one(
            select(instances.c.unavailable_since, instances.c.failure_count).where(
                instances.c.domain == "dead.example"
            )
        )
    assert row is not None and row[0] is None and row[1] == 0


async def test_delivery__delete_goes_to_everyone_who_got_the_original(bench: Bench) -> None:
    alice = await bench.user("alice")
    await remote_follower(bench, "mastodon/actor.json", FELIX, alice)
    status_id = await post(bench, alice)
    await bench.run_jobs()
    from fediverse.remote import delivery_inboxes_for_status

    async with bench.store.read() as conn:
        inboxes = await delivery_inboxes_for_status(conn, status_id)
    async with bench.store.write() as conn:
        await bench.runtime.queue.enqueue(
            conn,
            "federate",
            {
                "kind": "status.delete",
                "status_id": status_id,
                "account_id": alice,
                "uri": f"{bench.actor_uri('alice')}/statuses/{status_id}",
                "inboxes": inboxes,
            },
        )
    await bench.run_jobs()
    assert bench.remote.posted_types() == ["Create", "Delete"]
    assert json.dumps(bench.remote.posted[1][1]["object"]).find("Tombstone") > 0
