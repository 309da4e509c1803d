"""Every activity handler, fed recorded documents from Mastodon, Misskey, GoToSocial, Lemmy.

Each test signs as the recorded actor (its key swapped for a test key), posts to the inbox,
runs the worker one cycle at a time, and looks in the database of the receiving instance.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from fediverse.relationships import reject_request
from fediverse.remote_relations import add_follow
from fediverse.statuses import NewStatus, create_status
from fediverse.storage.tables import (
    accounts,
    audit_log,
    blocks,
    favourites,
    follow_requests,
    follows,
    notifications,
    received_activities,
    status_edits,
    status_pins,
    statuses,
)
from tests.federation.support import Bench, RemoteActor, fixture, remote_actor, rewrite

FELIX = "https://mastodon.madrid/users/felix"
ASONIX = "https://masto.asonix.dog/users/asonix"
ALICE_MK = "https://remote.example/users/alice"


async def rows(bench: Bench, table: Any, *where: Any) -> list[Any]:
    async with bench.store.read() as conn:
        return list(await conn.fetch_all(select(table).where(*where)))


async def count(bench: Bench, table: Any, *where: Any) -> int:
    async with bench.store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(table).where(*where)))


async def deliver(bench: Bench, actor: RemoteActor, activity: dict[str, Any]) -> None:
    response = await bench.post_inbox(actor, activity)
    assert response.status_code == 202, response.text
    await bench.run_jobs()


async def followed_by_local(bench: Bench, actor: RemoteActor, local_id: int) -> int:
    account = await bench.federation.actors.by_uri(actor.uri)
    async with bench.store.write() as conn:
        await add_follow(bench.store, conn, local_id, account.id, None)
    return account.id


async def local_post(bench: Bench, author_id: int, text: str = "Hej kollegor") -> tuple[int, str]:
    status_id = await create_status(
        bench.runtime, author_id, NewStatus(text=text, visibility="public", local_only=False)
    )
    async with bench.store.read() as conn:
        uri = await conn.fetch_val(select(statuses.c.uri).where(statuses.c.id == status_id))
    return status_id, str(uri)


# --- Follow, Accept, Reject, Undo ---------------------------------------------------------


async def test_follow__of_an_open_account_follows_and_accepts(bench: Bench) -> None:
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    follow = rewrite(
        fixture("mastodon/follow.json"),
        {"https://ds9.lemmy.ml/c/testcom": bench.actor_uri("alice")},
    )
    await deliver(bench, actor, follow)
    assert await count(bench, follows, follows.c.target_account_id == alice) == 1
    assert await count(bench, notifications, notifications.c.type == "follow") == 1
    ((inbox, accept, _headers),) = bench.remote.posted
    assert inbox == "https://masto.asonix.dog/users/asonix/inbox"
    assert accept["type"] == "Accept" and accept["object"]["id"] == follow["id"]
    await deliver(bench, actor, {**follow, "id": follow["id"] + "-again"})
    assert await count(bench, follows) == 1  # a repeat changes nothing


async def asonix_asks_to_follow_locked_alice(bench: Bench) -> tuple[int, dict[str, Any]]:
    """Locked local alice, and asonix's Follow of her, delivered: a request."""
    alice = await bench.user("alice")
    async with bench.store.write() as conn:
        await conn.execute(update(accounts).where(accounts.c.id == alice).values(locked=True))
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    follow = rewrite(
        fixture("mastodon/follow.json"),
        {"https://ds9.lemmy.ml/c/testcom": bench.actor_uri("alice")},
    )
    await deliver(bench, actor, follow)
    return alice, follow


async def test_follow__of_a_locked_account_is_a_request(bench: Bench) -> None:
    await asonix_asks_to_follow_locked_alice(bench)
    assert await count(bench, follow_requests) == 1
    assert await count(bench, follows) == 0
    assert bench.remote.posted == []


async def test_reject_request__of_a_remote_follower_sends_it_a_reject(bench: Bench) -> None:
    alice, follow = await asonix_asks_to_follow_locked_alice(bench)
    asonix = await bench.federation.actors.by_uri(ASONIX)
    await reject_request(bench.store, alice, asonix.id)
    await bench.run_jobs()
    assert await count(bench, follow_requests) == 0
    ((inbox, reject, _headers),) = bench.remote.posted
    assert inbox == "https://masto.asonix.dog/users/asonix/inbox"
    assert reject["type"] == "Reject" and reject["actor"] == bench.actor_uri("alice")
    assert reject["object"]["id"] == follow["id"] and reject["object"]["actor"] == ASONIX


async def test_undo_follow__ends_the_follow(bench: Bench) -> None:
    await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    replace = {"https://ds9.lemmy.ml/c/testcom": bench.actor_uri("alice")}
    await deliver(bench, actor, rewrite(fixture("mastodon/follow.json"), replace))
    undo = rewrite(fixture("mastodon/undo_follow.json"), replace)
    undo["object"]["object"] = bench.actor_uri("alice")
    await deliver(bench, actor, undo)
    assert await count(bench, follows) == 0


async def test_accept__turns_our_request_into_a_follow_and_reject_removes_it(bench: Bench) -> None:
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(
        remote_actor("lemmy/actor.json", "https://enterprise.lemmy.ml/u/picard")
    )
    picard = (await bench.federation.actors.by_uri(actor.uri)).id
    from fediverse.relationships import follow as follow_account

    await follow_account(bench.store, alice, picard)
    await bench.run_jobs()
    ((_inbox, sent, headers),) = bench.remote.posted
    assert sent["type"] == "Follow" and "signature" in headers
    accept = rewrite(fixture("lemmy/accept.json"), {})
    accept.update(
        id="https://enterprise.lemmy.ml/activities/accept/1", actor=actor.uri, object=sent
    )
    accept["object"].pop("@context", None)
    await deliver(bench, actor, accept)
    assert await count(bench, follows, follows.c.account_id == alice) == 1
    reject = {**accept, "id": "https://enterprise.lemmy.ml/activities/reject/1", "type": "Reject"}
    await deliver(bench, actor, reject)
    assert await count(bench, follows, follows.c.account_id == alice) == 0


# --- Create, Update, Delete ---------------------------------------------------------------


async def test_create__from_misskey_is_stored_when_someone_follows_the_author(bench: Bench) -> None:
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("misskey/actor.json", ALICE_MK))
    create = fixture("misskey/create_note.json")
    await deliver(bench, actor, create)
    assert await count(bench, statuses, statuses.c.local.is_(False)) == 0  # nobody asked for it
    await followed_by_local(bench, actor, alice)
    await deliver(bench, actor, {**create, "id": create["id"] + "2"})
    (status,) = await rows(bench, statuses, statuses.c.local.is_(False))
    assert status._mapping["uri"] == create["object"]["id"]
    assert "<script" not in status._mapping["content"]


async def test_create__every_stored_activity_is_marked_processed_once_handled(
    bench: Bench,
) -> None:
    """A new post carries the mark in its own transaction; a repeat, an unwanted post and
    a post already known get it from the worker."""
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("misskey/actor.json", ALICE_MK))
    create = fixture("misskey/create_note.json")
    await deliver(bench, actor, create)  # nobody follows the author: not stored
    await followed_by_local(bench, actor, alice)
    await deliver(bench, actor, {**create, "id": create["id"] + "2"})  # stored
    await deliver(bench, actor, {**create, "id": create["id"] + "3"})  # known already
    assert await count(bench, statuses, statuses.c.local.is_(False)) == 1
    unmarked = received_activities.c.processed_at.is_(None)
    assert await count(bench, received_activities) == 3
    assert await count(bench, received_activities, unmarked) == 0


async def test_create__sanitizes_hostile_html(bench: Bench) -> None:
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await followed_by_local(bench, actor, alice)
    create = fixture("mastodon/create_note.json")
    create["object"]["inReplyTo"] = None
    create["object"]["content"] = (
        '<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror=y></p>'
    )
    await deliver(bench, actor, create)
    (status,) = await rows(bench, statuses, statuses.c.local.is_(False))
    assert status._mapping["content"] == "<p>Hi</p>"


async def test_create__a_mention_of_a_local_account_notifies_it(bench: Bench) -> None:
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    create = fixture("mastodon/create_note.json")
    create["object"]["inReplyTo"] = None
    create["object"]["tag"] = [
        {"type": "Mention", "href": bench.actor_uri("alice"), "name": "@alice@kommun-a.test"}
    ]
    create["object"]["cc"].append(bench.actor_uri("alice"))
    await deliver(bench, actor, create)
    assert (
        await count(
            bench,
            notifications,
            notifications.c.account_id == alice,
            notifications.c.type == "mention",
        )
        == 1
    )


async def test_create__a_reply_fetches_its_missing_parent(bench: Bench) -> None:
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await followed_by_local(bench, actor, alice)
    parent = rewrite(fixture("mastodon/note.json"), {})
    parent.update(id=f"{FELIX}/statuses/1", attributedTo=FELIX, inReplyTo=None)
    bench.remote.add(parent)
    create = fixture("mastodon/create_note.json")
    create["object"]["inReplyTo"] = parent["id"]
    await deliver(bench, actor, create)
    reply = (await rows(bench, statuses, statuses.c.uri == create["object"]["id"]))[0]
    assert reply._mapping["in_reply_to_id"] is not None


async def test_create__a_lemmy_page_is_shown_with_its_title_and_link(bench: Bench) -> None:
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(
        remote_actor("lemmy/actor.json", "https://enterprise.lemmy.ml/u/picard")
    )
    await followed_by_local(bench, actor, alice)
    page = fixture("lemmy/page.json")
    create = {
        "id": "https://enterprise.lemmy.ml/activities/create/1",
        "type": "Create",
        "actor": actor.uri,
        "to": page["to"],
        "object": page,
    }
    await deliver(bench, actor, create)
    (status,) = await rows(bench, statuses, statuses.c.local.is_(False))
    assert "Post title" in status._mapping["content"]


async def a_followed_note(bench: Bench) -> tuple[Any, dict[str, Any]]:
    """Felix, followed by a local user, has posted a note; his actor and the Create."""
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await followed_by_local(bench, actor, alice)
    create = fixture("mastodon/create_note.json")
    create["object"]["inReplyTo"] = None
    await deliver(bench, actor, create)
    return actor, create


async def test_update__applies_an_edit_and_keeps_the_old_version(bench: Bench) -> None:
    actor, create = await a_followed_note(bench)
    note = {**create["object"], "content": "<p>Edited</p>", "updated": "2030-01-01T00:00:00Z"}
    update = {
        "id": f"{FELIX}/statuses/1#updates/1",
        "type": "Update",
        "actor": FELIX,
        "object": note,
    }
    await deliver(bench, actor, update)
    (status,) = await rows(bench, statuses, statuses.c.local.is_(False))
    assert status._mapping["content"] == "<p>Edited</p>"
    assert await count(bench, status_edits) == 1


async def test_update__an_edit_in_the_second_of_the_post_applies_and_a_replay_does_not(
    bench: Bench,
) -> None:
    actor, create = await a_followed_note(bench)
    same_second = create["object"]["published"]
    for n, content in enumerate(("<p>Redigerat</p>", "<p>Igen</p>")):
        note = {**create["object"], "content": content, "updated": same_second}
        update = {"id": f"{FELIX}/statuses/1#updates/{n}", "type": "Update", "actor": FELIX}
        await deliver(bench, actor, {**update, "object": note})
    (status,) = await rows(bench, statuses, statuses.c.local.is_(False))
    assert status._mapping["content"] == "<p>Redigerat</p>"
    assert await count(bench, status_edits) == 1


async def test_update__of_the_actor_refreshes_its_profile(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await bench.federation.actors.by_uri(FELIX)
    document = {**actor.document, "name": "Felix the Renamed"}
    await deliver(
        bench,
        actor,
        {"id": f"{FELIX}#updates/9", "type": "Update", "actor": FELIX, "object": document},
    )
    (account,) = await rows(bench, accounts, accounts.c.uri == FELIX)
    assert account._mapping["display_name"] == "Felix the Renamed"


async def test_delete__of_a_note_removes_it_and_of_something_unknown_changes_nothing(
    bench: Bench,
) -> None:
    actor, create = await a_followed_note(bench)
    unknown = rewrite(fixture("mastodon/delete.json"), {})
    await deliver(bench, actor, unknown)
    assert await count(bench, statuses, statuses.c.local.is_(False)) == 1
    delete = {
        "id": f"{create['object']['id']}#delete",
        "type": "Delete",
        "actor": FELIX,
        "object": {"id": create["object"]["id"], "type": "Tombstone"},
    }
    await deliver(bench, actor, delete)
    assert await count(bench, statuses, statuses.c.local.is_(False)) == 0


async def test_delete__of_the_actor_removes_its_posts_and_follows(bench: Bench) -> None:
    alice = await bench.user("alice")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    await followed_by_local(bench, actor, alice)
    await deliver(
        bench, actor, {"id": f"{FELIX}#delete", "type": "Delete", "actor": FELIX, "object": FELIX}
    )
    assert await count(bench, follows) == 0
    (account,) = await rows(bench, accounts, accounts.c.uri == FELIX)
    assert account._mapping["suspended_at"] is not None


# --- Announce, Like, Block, Flag, Move, Add/Remove ----------------------------------------


async def test_announce__of_a_local_post_is_a_reblog_with_a_notification(bench: Bench) -> None:
    alice = await bench.user("alice")
    _status_id, uri = await local_post(bench, alice)
    actor = bench.remote.add_actor(
        remote_actor(
            "gotosocial/actor_with_fields.json", "http://localhost:8080/users/the_mighty_zork"
        )
    )
    announce = fixture("gotosocial/announce_self_boost.json")
    announce["object"] = uri
    announce["to"] = "https://www.w3.org/ns/activitystreams#Public"
    await deliver(bench, actor, announce)
    assert await count(bench, statuses, statuses.c.reblog_of_id.is_not(None)) == 1
    assert await count(bench, notifications, notifications.c.type == "reblog") == 1
    undo = {"id": announce["id"] + "/undo", "type": "Undo", "actor": actor.uri, "object": announce}
    await deliver(bench, actor, undo)
    assert await count(bench, statuses, statuses.c.reblog_of_id.is_not(None)) == 0


async def test_like__and_undo_like_of_a_local_post(bench: Bench) -> None:
    alice = await bench.user("alice")
    _status_id, uri = await local_post(bench, alice)
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    like = rewrite(fixture("mastodon/like.json"), {"https://ds9.lemmy.ml/post/147": uri})
    await deliver(bench, actor, like)
    assert await count(bench, favourites) == 1
    assert await count(bench, notifications, notifications.c.type == "favourite") == 1
    undo = rewrite(fixture("mastodon/undo_like.json"), {"https://ds9.lemmy.ml/post/147": uri})
    await deliver(bench, actor, undo)
    assert await count(bench, favourites) == 0


async def test_block__from_misskey_ends_follows_both_ways(bench: Bench) -> None:
    alice = await bench.user("alice")
    uri = "https://misskey.usbharu.dev/users/97ws8y3rj6"
    actor = bench.remote.add_actor(remote_actor("misskey/actor.json", uri))
    await followed_by_local(bench, actor, alice)
    block = rewrite(
        fixture("misskey/block.json"),
        {"https://test-hideout.usbharu.dev/users/test-user2": bench.actor_uri("alice")},
    )
    await deliver(bench, actor, block)
    assert await count(bench, blocks) == 1
    assert await count(bench, follows) == 0


async def test_flag__is_kept_for_the_moderators(bench: Bench) -> None:
    await bench.user("alice")
    actor = bench.remote.add_actor(
        remote_actor("mastodon/actor.json", "https://mastodon.example/actor")
    )
    flag = rewrite(
        fixture("mastodon/flag.json"), {"https://example.com/users/1": bench.actor_uri("alice")}
    )
    await deliver(bench, actor, flag)
    assert await count(bench, audit_log, audit_log.c.action == "report.received") == 1


async def test_move__moves_local_followers_to_the_new_account(bench: Bench) -> None:
    alice = await bench.user("alice")
    old = bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    new_uri = "https://mastodon.madrid/users/felix2"
    new = remote_actor("mastodon/actor.json", new_uri)
    new.document["alsoKnownAs"] = [FELIX]
    bench.remote.add_actor(new)
    await followed_by_local(bench, old, alice)
    await deliver(
        bench,
        old,
        {
            "id": f"{FELIX}#moves/1",
            "type": "Move",
            "actor": FELIX,
            "object": FELIX,
            "target": new_uri,
        },
    )
    assert await count(bench, follow_requests) == 1
    assert "Follow" in bench.remote.posted_types()


async def test_add_and_remove__pin_and_unpin_a_post(bench: Bench) -> None:
    actor, create = await a_followed_note(bench)
    featured = actor.document["featured"]
    add = {
        "id": f"{FELIX}#add/1",
        "type": "Add",
        "actor": FELIX,
        "object": create["object"]["id"],
        "target": featured,
    }
    await deliver(bench, actor, add)
    assert await count(bench, status_pins) == 1
    await deliver(bench, actor, {**add, "id": f"{FELIX}#remove/1", "type": "Remove"})
    assert await count(bench, status_pins) == 0
