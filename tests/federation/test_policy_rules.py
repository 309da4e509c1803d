"""The federation policy, rule by rule, wherever it is enforced: the inbox, the worker,
delivery, fetches both ways, actor lookups, silence, suspension and rejected media."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from activitypub.signatures import Scheme, sign_request
from federation.errors import PolicyRefusedError
from federation.policy import CHECK_SECONDS, Policy, may_federate
from fediverse.instances import (
    VERSION_KEY,
    _put_setting,
    _upsert,
    set_domain_policy,
    set_federation_mode,
)
from fediverse.instances_purge import purge_domain
from fediverse.interactions import reblog
from fediverse.jobs import JobQueue
from fediverse.paging import PageQuery
from fediverse.remote_relations import add_follow
from fediverse.remote_statuses import add_favourite
from fediverse.statuses import NewStatus, create_status
from fediverse.storage.tables import (
    accounts,
    favourites,
    follow_requests,
    follows,
    received_activities,
    statuses,
)
from fediverse.timelines import PublicFilter, public
from tests.federation.support import _KEY, Bench, RemoteActor, fixture, remote_actor, rewrite

FELIX = "https://mastodon.madrid/users/felix"
SUB = "https://social.mastodon.madrid/users/sub"
ASONIX = "https://masto.asonix.dog/users/asonix"
AP = {"Accept": "application/activity+json"}


async def count(bench: Bench, table: Any, *where: Any) -> int:
    async with bench.store.read() as conn:
        query = select(func.count()).select_from(table).where(*where)
        return int(await conn.fetch_val(query))


async def follow_of(bench: Bench, actor: RemoteActor, name: str = "alice") -> dict[str, Any]:
    return rewrite(
        fixture("mastodon/follow.json"),
        {
            "https://ds9.lemmy.ml/c/testcom": bench.actor_uri(name),
            ASONIX: actor.uri,
            "https://masto.asonix.dog": actor.uri.rsplit("/users/", 1)[0],
        },
    )


async def policy(bench: Bench, domain: str, rule: str, **extra: Any) -> None:
    await set_domain_policy(bench.store, domain, rule, actor="test", **extra)


def note(actor: RemoteActor, number: int, **extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.uri}/statuses/{number}",
        "type": "Note",
        "attributedTo": actor.uri,
        "content": f"<p>Inlägg {number}</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [f"{actor.uri}/followers"],
        "published": "2026-11-27T10:00:00Z",
        **extra,
    }


def create(actor: RemoteActor, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": obj["id"] + "/activity",
        "type": "Create",
        "actor": actor.uri,
        "object": obj,
        "to": obj["to"],
        "cc": obj["cc"],
    }


async def followed_by_alice(bench: Bench, uri: str) -> tuple[RemoteActor, int]:
    """A remote actor whom alice (local) follows, and alice's account id."""
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", uri))
    alice = await bench.user("alice")
    account = await bench.federation.actors.by_uri(uri)
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, alice, account.id, f"{uri}#f")
    return actor, alice


# The inbox


async def test_inbox__closed_mode_refuses_every_signed_request_with_a_json_403(
    bench: Bench,
) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await bench.user("alice")
    await set_federation_mode(bench.store, "closed", actor="test")
    response = await bench.post_inbox(actor, await follow_of(bench, actor))
    assert response.status_code == 403
    assert response.json() == {"error": "this instance does not federate with mastodon.madrid"}
    assert await count(bench, received_activities) == 0


async def test_inbox__allowlist_takes_only_allowed_and_silenced_domains(bench: Bench) -> None:
    await set_federation_mode(bench.store, "allowlist", actor="test")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await bench.user("alice")
    assert (await bench.post_inbox(actor, await follow_of(bench, actor))).status_code == 403
    await policy(bench, "mastodon.madrid", "silence")
    assert (await bench.post_inbox(actor, await follow_of(bench, actor))).status_code == 202
    await policy(bench, "mastodon.madrid", "allow")
    replay = await follow_of(bench, actor)
    replay["id"] += "-again"
    assert (await bench.post_inbox(actor, replay)).status_code == 202


async def test_inbox__a_suspended_domain_covers_its_subdomains(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", SUB))
    await bench.user("alice")
    await policy(bench, "mastodon.madrid", "suspend")
    assert (await bench.post_inbox(actor, await follow_of(bench, actor))).status_code == 403


async def test_worker__drops_an_activity_stored_before_its_domain_was_suspended(
    bench: Bench,
) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await bench.user("alice")
    assert (await bench.post_inbox(actor, await follow_of(bench, actor))).status_code == 202
    await policy(bench, "mastodon.madrid", "suspend")
    await bench.run_jobs()
    assert await count(bench, follows) == 0
    assert await count(bench, received_activities, received_activities.c.processed_at.is_not(None))
    assert bench.remote.posted == []


# Silence


async def test_silence__a_follow_from_a_silenced_domain_waits_for_approval(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await bench.user("alice")
    await policy(bench, "mastodon.madrid", "silence")
    assert (await bench.post_inbox(actor, await follow_of(bench, actor))).status_code == 202
    await bench.run_jobs()
    assert await count(bench, follows) == 0
    assert await count(bench, follow_requests) == 1
    assert "Accept" not in bench.remote.posted_types()


async def test_silence__keeps_the_domain_out_of_public_timelines_not_home(bench: Bench) -> None:
    actor, alice = await followed_by_alice(bench, FELIX)
    response = await bench.post_inbox(actor, create(actor, note(actor, 1)))
    assert response.status_code == 202
    await bench.run_jobs()
    page = PageQuery(limit=20)
    assert len(await public(bench.store, alice, page, PublicFilter())) == 1
    await policy(bench, "mastodon.madrid", "silence")
    assert await public(bench.store, alice, page, PublicFilter()) == []
    assert await public(bench.store, None, page, PublicFilter(remote=True)) == []
    assert await count(bench, statuses) == 1  # still in alice's home: she follows felix


# Suspension


async def test_suspend__removes_follows_both_ways_and_content_then_allows_anew(
    bench: Bench,
) -> None:
    actor, alice = await followed_by_alice(bench, FELIX)
    felix = (await bench.federation.actors.by_uri(FELIX)).id
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, felix, alice, f"{FELIX}#f2")
    await bench.post_inbox(actor, create(actor, note(actor, 1)))
    own = await create_status(bench.runtime, alice, NewStatus(text="Hej", local_only=False))
    async with bench.store.write() as conn:
        await add_favourite(bench.store, conn, felix, own, f"{FELIX}#likes/1")
    await bench.run_jobs()
    assert await count(bench, statuses, statuses.c.account_id == felix) == 1
    await policy(bench, "mastodon.madrid", "suspend")
    await bench.run_jobs()  # the durable purge
    assert await count(bench, follows) == 0
    assert await count(bench, statuses, statuses.c.account_id == felix) == 0
    assert await count(bench, favourites) == 0
    async with bench.store.read() as conn:
        faves = await conn.fetch_val(
            select(statuses.c.favourites_count).where(statuses.c.id == own)
        )
    assert faves == 0
    async with bench.store.read() as conn:
        row = await conn.fetch_one(select(accounts).where(accounts.c.id == alice))
    assert (row._mapping["followers_count"], row._mapping["following_count"]) == (0, 0)
    await policy(bench, "mastodon.madrid", "allow")
    replay = await follow_of(bench, actor)
    assert (await bench.post_inbox(actor, replay)).status_code == 202
    await bench.run_jobs()
    assert await count(bench, follows) == 1


async def test_suspend__a_purge_after_the_domain_was_allowed_again_does_nothing(
    bench: Bench,
) -> None:
    await followed_by_alice(bench, FELIX)
    await policy(bench, "mastodon.madrid", "suspend")
    await policy(bench, "mastodon.madrid", "allow")
    assert await purge_domain(bench.store, {"domain": "mastodon.madrid"}) == 0
    assert await count(bench, follows) == 1


# Delivery


async def test_delivery__a_job_queued_before_a_suspension_is_dropped(bench: Bench) -> None:
    alice = await bench.user("alice")
    async with bench.store.write() as conn:
        await JobQueue(bench.store).enqueue(
            conn,
            "deliver",
            {"account_id": alice, "inbox": "https://mastodon.madrid/inbox", "body": "{}"},
        )
    await policy(bench, "mastodon.madrid", "suspend")
    await bench.run_jobs()
    assert bench.remote.posted == []


async def test_delivery__a_local_only_post_and_its_replies_and_boosts_stay_home(
    bench: Bench,
) -> None:
    _actor, alice = await followed_by_alice(bench, FELIX)
    felix = (await bench.federation.actors.by_uri(FELIX)).id
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, felix, alice, f"{FELIX}#f2")
    internal = NewStatus(text="Internt", visibility="public", local_only=True)
    first = await create_status(bench.runtime, alice, internal)
    reply = NewStatus(text="Svar", visibility="public", local_only=False, in_reply_to_id=first)
    answer = await create_status(bench.runtime, alice, reply)
    async with bench.store.read() as conn:
        row = await conn.fetch_one(select(statuses).where(statuses.c.id == answer))
    assert row._mapping["local_only"] is True or row._mapping["local_only"] == 1
    assert not may_federate(row._mapping)
    await reblog(bench.runtime, alice, first, None)
    await bench.run_jobs()
    assert bench.remote.posted == []


# Fetches, both ways


async def test_fetch__refused_domains_are_never_asked(bench: Bench) -> None:
    bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await policy(bench, "mastodon.madrid", "suspend")
    with pytest.raises(PolicyRefusedError):
        await bench.federation.fetcher.get_json(FELIX)
    with pytest.raises(PolicyRefusedError):
        await bench.federation.actors.by_acct("felix@mastodon.madrid")
    assert bench.remote.unexpected == []


async def test_fetch__a_cached_actor_of_a_suspended_domain_is_refused(bench: Bench) -> None:
    bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await bench.federation.actors.by_uri(FELIX)
    await policy(bench, "mastodon.madrid", "suspend")
    with pytest.raises(PolicyRefusedError):
        await bench.federation.actors.by_uri(FELIX)


def signed_get(actor: RemoteActor, url: str) -> dict[str, str]:
    return sign_request(
        scheme=Scheme.CAVAGE,
        method="GET",
        url=url,
        headers=dict(AP),
        body=b"",
        key=_KEY,
        key_id=actor.key_id,
        now=time.time(),
    )


async def test_authorized_fetch__a_signed_get_from_a_refused_domain_is_403(bench: Bench) -> None:
    peer = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    alice = await bench.user("alice")
    status_id = await create_status(
        bench.runtime, alice, NewStatus(text="Ut", visibility="public", local_only=False)
    )
    path = f"/users/alice/statuses/{status_id}"
    ok = await bench.client.get(path, headers=signed_get(peer, bench.base_url + path))
    assert ok.status_code == 200
    await policy(bench, "mastodon.madrid", "suspend")
    refused = await bench.client.get(path, headers=signed_get(peer, bench.base_url + path))
    assert refused.status_code == 403
    assert "error" in refused.json()


# Rejected media


async def test_reject_media__attachments_become_links_and_avatars_are_not_kept(
    bench: Bench,
) -> None:
    await policy(bench, "mastodon.madrid", "allow", reject_media=True)
    actor, _alice = await followed_by_alice(bench, FELIX)
    image = "https://files.mastodon.madrid/media/bild.png"
    obj = note(
        actor,
        2,
        attachment=[{"type": "Document", "mediaType": "image/png", "url": image, "name": "Bild"}],
    )
    assert (await bench.post_inbox(actor, create(actor, obj))).status_code == 202
    await bench.run_jobs()
    async with bench.store.read() as conn:
        content = await conn.fetch_val(
            select(statuses.c.content).where(statuses.c.uri == obj["id"])
        )
        avatar = await conn.fetch_val(
            select(accounts.c.avatar_remote_url).where(accounts.c.uri == FELIX)
        )
    assert f'<a href="{image}"' in content
    assert avatar is None
    assert image not in json.dumps(bench.remote.unexpected)


# The snapshot


async def test_policy__another_process_sees_a_change_within_a_second(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = Policy(bench.store, "blocklist", "kommun-a.test")
    assert await elsewhere.allows("mastodon.madrid")
    # Another process's change: the stored version moves, this process's counter does not.
    async with bench.store.write() as conn:
        await _upsert(conn, "mastodon.madrid", {"policy": "suspend", "reject_media": False})
        await _put_setting(conn, VERSION_KEY, "from-another-process")
    assert await elsewhere.allows("mastodon.madrid")  # the snapshot, for up to a second
    later = time.monotonic() + CHECK_SECONDS + 0.1
    monkeypatch.setattr("federation.policy.time.monotonic", lambda: later)
    assert not await elsewhere.allows("mastodon.madrid")


async def test_policy__modes_and_own_domain(bench: Bench) -> None:
    rules = Policy(bench.store, "allowlist", "kommun-a.test")
    assert await rules.allows("kommun-a.test")
    assert not await rules.allows("kommun-b.test")
    await policy(bench, "kommun-b.test", "allow")
    assert await rules.allows("kommun-b.test")
    await set_federation_mode(bench.store, "blocklist", actor="test")
    assert await rules.allows("anything.example")
    await set_federation_mode(bench.store, "closed", actor="test")
    assert not await rules.allows("kommun-b.test")
    assert await rules.allows("kommun-a.test")
