"""Groups over ActivityPub, in-process: joins by Follow, posts for a group announced twice
(the original activity embedded unchanged, and the object), and a Lemmy community's
announces reaching our members."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from fediverse.groups import NewGroup, create_group
from fediverse.remote_relations import add_follow
from fediverse.storage.tables import follow_requests, follows, home_feed, statuses
from tests.federation.support import Bench, RemoteActor, fixture, remote_actor, rewrite

ASONIX = "https://masto.asonix.dog/users/asonix"
LEMMY_GROUP = "https://enterprise.lemmy.ml/c/tenforward"
LEMMY_USER = "https://enterprise.lemmy.ml/u/lemmy_beta"


async def count(bench: Bench, table: Any, *where: Any) -> int:
    async with bench.store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(table).where(*where)))


async def deliver(bench: Bench, actor: RemoteActor, activity: dict[str, Any]) -> None:
    response = await bench.post_inbox(actor, activity)
    assert response.status_code == 202, response.text
    await bench.run_jobs()


async def _group(bench: Bench, privacy: str = "open", **extra: Any) -> tuple[int, int]:
    owner = await bench.user("anna")
    group_id = await create_group(bench.runtime, owner, NewGroup("lag", privacy=privacy, **extra))
    return owner, group_id


def _follow(bench: Bench) -> dict[str, Any]:
    return rewrite(
        fixture("mastodon/follow.json"), {"https://ds9.lemmy.ml/c/testcom": bench.actor_uri("lag")}
    )


async def test_group_follow__of_an_open_group_is_a_membership_and_accepted(bench: Bench) -> None:
    _owner, group_id = await _group(bench)
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    await deliver(bench, actor, _follow(bench))
    assert await count(bench, follows, follows.c.target_account_id == group_id) == 2
    assert bench.remote.posted_types() == ["Accept"]


async def test_group_follow__of_a_closed_group_waits_for_a_moderator(bench: Bench) -> None:
    _owner, group_id = await _group(bench, "closed")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    await deliver(bench, actor, _follow(bench))
    assert await count(bench, follow_requests, follow_requests.c.target_account_id == group_id) == 1
    assert bench.remote.posted == []


async def test_group_follow__outside_the_partner_domains_is_rejected_saying_why(
    bench: Bench,
) -> None:
    _owner, group_id = await _group(bench, partner_domains=("kommun-b.test",))
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    await deliver(bench, actor, _follow(bench))
    assert await count(bench, follows, follows.c.target_account_id == group_id) == 1  # anna
    ((_inbox, reject, _headers),) = bench.remote.posted
    assert reject["type"] == "Reject"
    assert "kommun-b.test" in reject["summary"]


async def test_group_follow__of_an_internal_group_is_rejected(bench: Bench) -> None:
    await _group(bench, "internal")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    await deliver(bench, actor, _follow(bench))
    assert bench.remote.posted_types() == ["Reject"]


def _create_for_group(bench: Bench, note_id: str) -> dict[str, Any]:
    group = bench.actor_uri("lag")
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": ASONIX,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [group],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": ASONIX,
            "content": "<p>Hej gruppen</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [group],
            "tag": [{"type": "Mention", "href": group, "name": "@lag"}],
            "published": "2026-11-27T10:00:00Z",
        },
        # Kept exactly, so that a receiver can still verify it (FEP-8b32).
        "proof": {"type": "DataIntegrityProof", "proofValue": "z3kept"},
    }


async def test_group_post__from_a_member_is_announced_with_the_activity_unchanged_and_by_id(
    bench: Bench,
) -> None:
    owner, group_id = await _group(bench)
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    await deliver(bench, actor, _follow(bench))
    bench.remote.posted.clear()
    note_id = "https://masto.asonix.dog/users/asonix/statuses/1"
    create = _create_for_group(bench, note_id)
    await deliver(bench, actor, create)
    async with bench.store.read() as conn:
        row = await conn.fetch_one(
            select(statuses.c.id, statuses.c.group_id).where(statuses.c.uri == note_id)
        )
    assert row is not None
    status_id, stored_group = row[0], row[1]
    assert stored_group == group_id
    assert await count(bench, home_feed, home_feed.c.account_id == owner) == 1
    announces = {body["id"]: (inbox, body) for inbox, body, _h in bench.remote.posted}
    assert len(announces) == 2
    (embedded,) = [b for _i, b in announces.values() if isinstance(b["object"], dict)]
    (by_id,) = [b for _i, b in announces.values() if isinstance(b["object"], str)]
    assert embedded["object"] == create
    assert embedded["actor"] == by_id["actor"] == bench.actor_uri("lag")
    assert by_id["object"] == note_id
    assert {i for i, _b in announces.values()} == {"https://masto.asonix.dog/inbox"}
    assert status_id is not None


async def test_group_post__from_a_non_member_is_refused(bench: Bench) -> None:
    await _group(bench)
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    note_id = "https://masto.asonix.dog/users/asonix/statuses/2"
    await deliver(bench, actor, _create_for_group(bench, note_id))
    assert await count(bench, statuses, statuses.c.uri == note_id) == 0
    assert bench.remote.posted == []


async def test_lemmy_announce__from_a_community_we_belong_to_reaches_our_members_once(
    bench: Bench,
) -> None:
    member = await bench.user("berit")
    group = bench.remote.add_actor(remote_actor("lemmy/group.json", LEMMY_GROUP))
    bench.remote.add_actor(remote_actor("lemmy/actor.json", LEMMY_USER))
    group_account = await bench.federation.actors.by_uri(LEMMY_GROUP)
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, member, group_account.id, None)
    replace = {
        "http://enterprise.lemmy.ml/c/main": LEMMY_GROUP,
        "http://enterprise.lemmy.ml/u/main": LEMMY_GROUP,
        "http://enterprise.lemmy.ml": "https://enterprise.lemmy.ml",
    }
    announce = rewrite(fixture("lemmy/group_announce_create.json"), replace)
    await deliver(bench, group, announce)
    await deliver(bench, group, {**announce, "id": announce["id"] + "-again"})
    post = "https://enterprise.lemmy.ml/post/7"
    async with bench.store.read() as conn:
        row = await conn.fetch_one(
            select(statuses.c.id, statuses.c.group_id).where(statuses.c.uri == post)
        )
    assert row is not None and row[1] == group_account.id
    assert await count(bench, home_feed, home_feed.c.account_id == member) == 1
    assert await count(bench, statuses, statuses.c.reblog_of_id.is_not(None)) == 0  # no boost

    removal = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{LEMMY_GROUP}/activities/announce/remove-1",
        "type": "Announce",
        "actor": LEMMY_GROUP,
        "object": {
            "id": f"{LEMMY_GROUP}/activities/delete/1",
            "type": "Delete",
            "actor": LEMMY_GROUP,
            "object": post,
        },
    }
    await deliver(bench, group, removal)
    assert await count(bench, statuses, statuses.c.uri == post) == 0
