"""Account suspension across servers: our suspended actors as others see them, the Update
that tells them, and what a remote server's ``suspended`` does here."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select, update

from fediverse import groups, relationships
from fediverse.groups_model import NewGroup
from fediverse.ids import SnowflakeGenerator, now_ms
from fediverse.moderation import AccountAction, take_action, undo_action
from fediverse.outgoing import ACTOR_SUSPENSION
from fediverse.paging import PageQuery
from fediverse.remote_relations import add_follow
from fediverse.reports import Moderator
from fediverse.statuses import NewStatus, create_status
from fediverse.storage.tables import (
    accounts,
    follow_requests,
    follows,
    group_memberships,
    jobs,
    mentions,
    statuses,
)
from fediverse.timelines import home
from tests.federation.support import Bench, RemoteActor, remote_actor
from tests.federation.test_handlers import a_followed_note, count, deliver, rows
from tests.federation.test_routes import _signed_get

AP = {"Accept": "application/activity+json"}
FELIX = "https://mastodon.madrid/users/felix"
PICARD = "https://enterprise.lemmy.ml/u/picard"
MALLORY = "https://mastodon.madrid/users/mallory"
CLI = Moderator(None, "cli")


async def suspend(bench: Bench, account_id: int) -> None:
    await take_action(bench.store, account_id, AccountAction("suspend"), CLI)


async def suspension_of(bench: Bench, uri: str) -> tuple[int | None, str | None]:
    (account,) = await rows(bench, accounts, accounts.c.uri == uri)
    return account._mapping["suspended_at"], account._mapping["suspension_origin"]


def felix_update(document: dict[str, Any], n: int, **changes: Any) -> dict[str, Any]:
    obj = {**document, **changes}
    return {"id": f"{FELIX}#updates/{n}", "type": "Update", "actor": FELIX, "object": obj}


# --- Serving ------------------------------------------------------------------------------


async def test_actor__of_a_suspended_account_is_served_minimal_and_says_so(bench: Bench) -> None:
    alice = await bench.user("alice", display_name="Alice Andersson")
    await suspend(bench, alice)
    response = await bench.client.get("/users/alice", headers=AP)
    assert response.status_code == 200
    document = response.json()
    assert document["suspended"] is True
    assert document["name"] == "" and document["summary"] == ""
    assert document["attachment"] == [] and "icon" not in document
    assert document["publicKey"]["id"] == f"{bench.actor_uri('alice')}#main-key"
    webfinger = await bench.client.get(
        "/.well-known/webfinger", params={"resource": "acct:alice@kommun-a.test"}
    )
    assert webfinger.status_code == 200


async def test_actor__a_suspended_accounts_collections_stay_unavailable(bench: Bench) -> None:
    alice = await bench.user("alice")
    await suspend(bench, alice)
    peer = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    for name in ("outbox", "followers", "following", "collections/featured"):
        path = f"/users/alice/{name}"
        signed = await bench.client.get(path, headers=_signed_get(peer, bench.base_url + path))
        assert signed.status_code == 404, name


async def test_actor__unsuspended_is_whole_again(bench: Bench) -> None:
    alice = await bench.user("alice", display_name="Alice Andersson")
    await suspend(bench, alice)
    await undo_action(bench.store, alice, "unsuspend", CLI)
    document = (await bench.client.get("/users/alice", headers=AP)).json()
    assert "suspended" not in document and document["name"] == "Alice Andersson"


# --- Sending ------------------------------------------------------------------------------


async def test_suspend__queues_the_actor_update_with_the_suspension(bench: Bench) -> None:
    alice = await bench.user("alice")
    await suspend(bench, alice)
    async with bench.store.read() as conn:
        queued = [orjson.loads(r[0]) for r in await conn.fetch_all(select(jobs.c.payload))]
    assert {"kind": ACTOR_SUSPENSION, "account_id": alice} in queued


async def test_suspend__sends_a_signed_update_to_followers_and_followed_servers(
    bench: Bench,
) -> None:
    alice = await bench.user("alice", display_name="Alice Andersson")
    felix = await bench.federation.actors.by_uri(
        bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX)).uri
    )
    picard = await bench.federation.actors.by_uri(
        bench.remote.add_actor(remote_actor("lemmy/actor.json", PICARD)).uri
    )
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, felix.id, alice, f"{FELIX}#follows/1")
        await add_follow(bench.store, conn, alice, picard.id, None)
    await suspend(bench, alice)
    await bench.run_jobs()
    inboxes = sorted(url for url, _body, _headers in bench.remote.posted)
    assert inboxes == ["https://enterprise.lemmy.ml/inbox", "https://mastodon.madrid/inbox"]
    _url, body, headers = bench.remote.posted[0]
    assert body["type"] == "Update" and body["actor"] == bench.actor_uri("alice")
    assert body["object"]["suspended"] is True and body["object"]["name"] == ""
    assert f'keyId="{bench.actor_uri("alice")}#main-key"' in headers["signature"]
    bench.remote.posted.clear()
    await undo_action(bench.store, alice, "unsuspend", CLI)
    await bench.run_jobs()
    assert len(bench.remote.posted) == 2
    lifted = bench.remote.posted[0][1]["object"]
    assert "suspended" not in lifted and lifted["name"] == "Alice Andersson"


KIRK = "https://gammal.example/users/kirk"
UHURA = "https://intern.example/users/uhura"
BOB = "https://mastodon.madrid/users/bob"
DAY_MS = 24 * 3_600_000


async def known(bench: Bench, template: str, uri: str) -> tuple[int, str]:
    """A remote actor we have met: its id and the handle a post mentions it by."""
    actor = remote_actor(template, uri)
    actor.document["preferredUsername"] = uri.rsplit("/", 1)[1]
    account = await bench.federation.actors.by_uri(bench.remote.add_actor(actor).uri)
    return account.id, f"@{account.username}@{account.domain}"


async def posted(bench: Bench, author: int, text: str, *, days_ago: int = 0, **extra: Any) -> int:
    """A federated post by ``author``, written ``days_ago`` days ago."""
    ids = bench.store._ids
    assert ids is not None
    if days_ago:
        clock = now_ms() - days_ago * DAY_MS
        bench.store.use_ids(SnowflakeGenerator(ids.node, clock=lambda: clock))
    try:
        new = NewStatus(text=text, visibility="public", local_only=False, **extra)
        return await create_status(bench.runtime, author, new)
    finally:
        bench.store.use_ids(ids)


async def test_suspend__also_tells_the_servers_its_recent_posts_mentioned_or_answered(
    bench: Bench,
) -> None:
    alice = await bench.user("alice")
    _felix, felix = await known(bench, "mastodon/actor.json", FELIX)
    _bob, bob = await known(bench, "mastodon/actor.json", BOB)  # felix's server
    picard, _ = await known(bench, "lemmy/actor.json", PICARD)
    _kirk, kirk = await known(bench, "mastodon/actor.json", KIRK)
    _uhura, uhura = await known(bench, "mastodon/actor.json", UHURA)
    await posted(bench, alice, f"Hej {kirk}", days_ago=3)  # too long ago
    await posted(bench, alice, f"Hej {felix} och {bob}")
    answer = await posted(bench, alice, "Håller med")
    async with bench.store.write() as conn:  # a reply that does not mention its parent's author
        await conn.execute(
            update(statuses).where(statuses.c.id == answer).values(in_reply_to_account_id=picard)
        )
    await create_status(
        bench.runtime, alice, NewStatus(text=f"Hej {uhura}", visibility="public", local_only=True)
    )
    await bench.run_jobs()
    assert await count(bench, mentions) == 4  # kirk, felix, bob and uhura
    bench.remote.posted.clear()
    await suspend(bench, alice)
    await bench.run_jobs()
    sent = sorted((url, body["type"]) for url, body, _headers in bench.remote.posted)
    assert sent == [
        ("https://enterprise.lemmy.ml/inbox", "Update"),
        ("https://mastodon.madrid/inbox", "Update"),  # felix and bob share it: once
    ]


async def test_suspend__reaches_only_the_last_of_its_recent_posts(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fediverse.remote.RECENT_STATUSES", 1)
    alice = await bench.user("alice")
    _felix, felix = await known(bench, "mastodon/actor.json", FELIX)
    _kirk, kirk = await known(bench, "mastodon/actor.json", KIRK)
    await posted(bench, alice, f"Hej {kirk}")
    await posted(bench, alice, f"Hej {felix}")
    await bench.run_jobs()
    bench.remote.posted.clear()
    await suspend(bench, alice)
    await bench.run_jobs()
    assert [url for url, _body, _headers in bench.remote.posted] == [
        "https://mastodon.madrid/inbox"
    ]


async def test_suspend__also_tells_the_server_of_an_account_it_asks_to_follow(
    bench: Bench,
) -> None:
    alice = await bench.user("alice")
    kirk, _ = await known(bench, "mastodon/actor.json", KIRK)
    await relationships.follow(bench.store, alice, kirk)  # a request until kirk Accepts
    await bench.run_jobs()
    assert [body["type"] for _url, body, _headers in bench.remote.posted] == ["Follow"]
    bench.remote.posted.clear()
    await suspend(bench, alice)
    await bench.run_jobs()
    assert [(url, body["type"]) for url, body, _headers in bench.remote.posted] == [
        ("https://gammal.example/inbox", "Update")
    ]


async def test_suspend__of_a_remote_account_sends_nothing(bench: Bench) -> None:
    felix = await bench.federation.actors.by_uri(
        bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX)).uri
    )
    await suspend(bench, felix.id)
    await bench.run_jobs()
    assert bench.remote.posted == []
    assert await suspension_of(bench, FELIX) == ((await suspension_of(bench, FELIX))[0], "local")


# --- Suspending a remote follower ---------------------------------------------------------

FELIX_INBOX = "https://mastodon.madrid/users/felix/inbox"


async def alice_followed_by_felix(bench: Bench) -> tuple[int, RemoteActor]:
    """Local alice, and remote felix, who follows her."""
    alice = await bench.user("alice")
    felix = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await felix_follows(bench, felix, "alice")
    return alice, felix


async def felix_follows(
    bench: Bench, felix: RemoteActor, name: str, *, n: int = 1
) -> dict[str, Any]:
    """Felix's ``n``th Follow of local ``name``, delivered: a follow, or a request if it is
    locked."""
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{FELIX}#follows/{name}" + (f"/{n}" if n > 1 else ""),
        "type": "Follow",
        "actor": FELIX,
        "object": bench.actor_uri(name),
    }
    await deliver(bench, felix, follow)
    return follow


async def lock(bench: Bench, account_id: int) -> None:
    async with bench.store.write() as conn:
        await conn.execute(update(accounts).where(accounts.c.id == account_id).values(locked=True))


async def follow_count(bench: Bench, account_id: int) -> tuple[int, int]:
    (row,) = await rows(bench, accounts, accounts.c.id == account_id)
    return row._mapping["followers_count"], row._mapping["following_count"]


async def rejects_queued(bench: Bench) -> list[dict[str, Any]]:
    async with bench.store.read() as conn:
        queued = [orjson.loads(r[0]) for r in await conn.fetch_all(select(jobs.c.payload))]
    return [p for p in queued if p.get("kind") == "reject_follow"]


async def test_suspend__of_a_remote_follower_ends_its_follows_of_locals_with_a_reject(
    bench: Bench,
) -> None:
    alice, bob, carl = await bench.user("alice"), await bench.user("bob"), await bench.user("carl")
    await lock(bench, bob)
    felix = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    follow_alice = await felix_follows(bench, felix, "alice")
    follow_bob = await felix_follows(bench, felix, "bob")  # a request: bob is locked
    felix_id = (await bench.federation.actors.by_uri(FELIX)).id
    picard = await bench.federation.actors.by_uri(
        bench.remote.add_actor(remote_actor("lemmy/actor.json", PICARD)).uri
    )
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, carl, felix_id, None)  # a local following felix
        await add_follow(bench.store, conn, felix_id, picard.id, None)  # and a remote followed
    bench.remote.posted.clear()
    await suspend(bench, felix_id)
    assert sorted((p["account_id"], p["uri"]) for p in await rejects_queued(bench)) == sorted(
        [(alice, follow_alice["id"]), (bob, follow_bob["id"])]
    )
    assert await count(bench, follows, follows.c.account_id == felix_id) == 1  # picard only
    assert await count(bench, follow_requests) == 0
    assert await count(bench, follows, follows.c.account_id == carl) == 1
    assert await follow_count(bench, alice) == (0, 0)
    assert await follow_count(bench, felix_id) == (1, 1)
    assert await follow_count(bench, carl) == (0, 1)
    await bench.run_jobs()
    sent = sorted(bench.remote.posted, key=lambda p: p[1]["actor"])
    assert [(url, body["type"]) for url, body, _ in sent] == [(FELIX_INBOX, "Reject")] * 2
    for (_url, reject, headers), name, follow in zip(
        sent, ("alice", "bob"), (follow_alice, follow_bob), strict=True
    ):
        assert reject["actor"] == bench.actor_uri(name)
        inner = reject["object"]
        assert inner["type"] == "Follow" and inner["id"] == follow["id"]
        assert inner["actor"] == FELIX and inner["object"] == bench.actor_uri(name)
        assert f'keyId="{bench.actor_uri(name)}#main-key"' in headers["signature"]


async def test_unsuspend__of_a_remote_follower_does_not_bring_its_follows_back(
    bench: Bench,
) -> None:
    alice, _felix = await alice_followed_by_felix(bench)
    felix_id = (await bench.federation.actors.by_uri(FELIX)).id
    await suspend(bench, felix_id)
    await undo_action(bench.store, felix_id, "unsuspend", CLI)
    await bench.run_jobs()
    assert await count(bench, follows) == 0
    assert await follow_count(bench, alice) == (0, 0)


async def test_suspend__by_its_own_server_keeps_its_follows_until_our_moderators_suspend_it(
    bench: Bench,
) -> None:
    alice, felix = await alice_followed_by_felix(bench)
    bench.remote.posted.clear()
    await deliver(bench, felix, felix_update(felix.document, 1, suspended=True))
    assert (await suspension_of(bench, FELIX))[1] == "remote"
    assert await count(bench, follows) == 1 and await rejects_queued(bench) == []
    assert bench.remote.posted == []
    # Our moderators' own suspension takes over (the origin becomes local), as in Mastodon.
    await suspend(bench, (await bench.federation.actors.by_uri(FELIX)).id)
    await bench.run_jobs()
    assert await count(bench, follows) == 0
    assert await follow_count(bench, alice) == (0, 0)
    assert bench.remote.posted_types() == ["Reject"]


async def test_suspend__of_a_local_account_keeps_its_follows_and_sends_no_reject(
    bench: Bench,
) -> None:
    alice, _felix = await alice_followed_by_felix(bench)
    felix_id = (await bench.federation.actors.by_uri(FELIX)).id
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, alice, felix_id, None)
    bench.remote.posted.clear()
    await suspend(bench, alice)
    await bench.run_jobs()
    assert await count(bench, follows) == 2
    assert await follow_count(bench, alice) == (1, 1)
    assert bench.remote.posted_types() == ["Update"]
    # Felix's suspension, by contrast, ends its follow of alice.
    bench.remote.posted.clear()
    await suspend(bench, felix_id)
    await bench.run_jobs()
    assert await count(bench, follows, follows.c.account_id == felix_id) == 0
    assert await count(bench, follows, follows.c.account_id == alice) == 1
    assert bench.remote.posted_types() == ["Reject"]


async def felix_in_groups(bench: Bench) -> tuple[int, int, int, int]:
    """Anna's open group lag, where felix moderates, her open group lags, where felix is
    banned, and felix's id."""
    anna = await bench.user("anna")
    lag = await groups.create_group(bench.runtime, anna, NewGroup("lag", privacy="open"))
    banned = await groups.create_group(bench.runtime, anna, NewGroup("lags", privacy="open"))
    felix = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    for name in ("lag", "lags"):
        await felix_follows(bench, felix, name)
    felix_id = (await bench.federation.actors.by_uri(FELIX)).id
    await groups.set_role(bench.store, anna, lag, felix_id, "moderator")
    await groups.ban(bench.store, anna, banned, felix_id)
    await bench.run_jobs()
    bench.remote.posted.clear()
    return anna, lag, banned, felix_id


async def moderators_of(bench: Bench, name: str) -> list[str]:
    response = await bench.client.get(f"/users/{name}/moderators", headers=AP)
    assert response.status_code == 200
    return list(response.json()["orderedItems"])


async def test_suspend__of_a_remote_member_ends_its_memberships_and_roles_in_local_groups(
    bench: Bench,
) -> None:
    _anna, lag, banned, felix_id = await felix_in_groups(bench)
    assert await moderators_of(bench, "lag") == [bench.actor_uri("anna"), FELIX]
    await suspend(bench, felix_id)
    mine = group_memberships.c.account_id == felix_id
    assert (
        await count(bench, group_memberships, mine & (group_memberships.c.state != "banned")) == 0
    )
    assert (
        await count(
            bench, group_memberships, mine & (group_memberships.c.group_account_id == banned)
        )
        == 1
    )
    assert await moderators_of(bench, "lag") == [bench.actor_uri("anna")]
    await bench.run_jobs()
    ((_inbox, reject, _headers),) = bench.remote.posted  # the banned one follows no more
    assert reject["type"] == "Reject" and reject["actor"] == bench.actor_uri("lag")
    assert reject["object"]["actor"] == FELIX
    assert await follow_count(bench, lag) == (1, 0)  # anna


async def test_unsuspend__of_a_remote_moderator_does_not_give_its_role_back(bench: Bench) -> None:
    _anna, lag, _banned, felix_id = await felix_in_groups(bench)
    await suspend(bench, felix_id)
    await undo_action(bench.store, felix_id, "unsuspend", CLI)
    felix = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await felix_follows(bench, felix, "lag", n=2)
    async with bench.store.read() as conn:
        assert await groups.role_of(conn, lag, felix_id) == "member"
    assert await moderators_of(bench, "lag") == [bench.actor_uri("anna")]


# --- Receiving ----------------------------------------------------------------------------


async def test_update__suspended_by_its_server_hides_it_and_keeps_follows(bench: Bench) -> None:
    actor, _create = await a_followed_note(bench)
    alice = (await rows(bench, accounts, accounts.c.username == "alice"))[0]._mapping["id"]
    assert len(await home(bench.store, alice, PageQuery())) == 1
    await deliver(bench, actor, felix_update(actor.document, 1, suspended=True))
    suspended_at, origin = await suspension_of(bench, FELIX)
    assert suspended_at is not None and origin == "remote"
    assert await count(bench, follows) == 1
    assert await home(bench.store, alice, PageQuery()) == []
    await deliver(bench, actor, felix_update(actor.document, 2))
    assert await suspension_of(bench, FELIX) == (None, None)
    assert len(await home(bench.store, alice, PageQuery())) == 1


async def test_update__never_lifts_a_suspension_our_moderators_made(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    felix = await bench.federation.actors.by_uri(FELIX)
    await suspend(bench, felix.id)
    await deliver(bench, actor, felix_update(actor.document, 1, name="Felix is back"))
    suspended_at, origin = await suspension_of(bench, FELIX)
    assert suspended_at is not None and origin == "local"
    (account,) = await rows(bench, accounts, accounts.c.uri == FELIX)
    assert account._mapping["display_name"] != "Felix is back"


async def test_refetch__of_a_suspended_actor_suspends_it_and_of_a_restored_one_lifts_it(
    bench: Bench,
) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await bench.federation.actors.by_uri(FELIX)
    bench.remote.add({**actor.document, "suspended": True})
    await bench.federation.actors.by_uri(FELIX, refresh=True)
    assert (await suspension_of(bench, FELIX))[1] == "remote"
    bench.remote.add(actor.document)
    await bench.federation.actors.by_uri(FELIX, refresh=True)
    assert await suspension_of(bench, FELIX) == (None, None)


async def test_update__of_an_actor_signed_by_another_is_refused(bench: Bench) -> None:
    felix = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    mallory = remote_actor("mastodon/actor.json", MALLORY)
    mallory.document["preferredUsername"] = "mallory"
    bench.remote.add_actor(mallory)
    await bench.federation.actors.by_uri(FELIX)
    forged = felix_update(felix.document, 1, suspended=True)
    assert (await bench.post_inbox(mallory, forged)).status_code == 403
    as_mallory = {**forged, "id": f"{MALLORY}#updates/1", "actor": MALLORY}
    await deliver(bench, mallory, as_mallory)  # same origin, so taken; then ignored
    assert await suspension_of(bench, FELIX) == (None, None)
