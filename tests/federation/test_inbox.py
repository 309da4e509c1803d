"""The inbox: verify, store, 202, then the worker processes; hostile input changes nothing."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from activitypub.signatures import Scheme
from fediverse.instances import set_domain_policy
from fediverse.storage.tables import follows, received_activities
from tests.federation.support import Bench, fixture, remote_actor, rewrite

ASONIX = "https://masto.asonix.dog/users/asonix"


async def count(bench: Bench, table: object) -> int:
    async with bench.store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(table)))  # type: ignore[arg-type]


async def follow_of_alice(bench: Bench) -> dict[str, object]:
    await bench.user("alice")
    return rewrite(
        fixture("mastodon/follow.json"),
        {"https://ds9.lemmy.ml/c/testcom": bench.actor_uri("alice")},
    )


async def test_inbox__accepts_a_signed_follow_and_the_worker_follows(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    activity = await follow_of_alice(bench)
    response = await bench.post_inbox(actor, activity)
    assert response.status_code == 202, (response.json(), bench.remote.unexpected)
    assert await count(bench, received_activities) == 1
    await bench.run_jobs()
    assert await count(bench, follows) == 1
    assert "Accept" in bench.remote.posted_types()


async def test_inbox__accepts_rfc9421_signatures(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    response = await bench.post_inbox(actor, await follow_of_alice(bench), scheme=Scheme.RFC9421)
    assert response.status_code == 202


async def test_inbox__rejects_an_unsigned_post(bench: Bench) -> None:
    activity = await follow_of_alice(bench)
    response = await bench.client.post("/inbox", content=json.dumps(activity))
    assert response.status_code == 401
    assert "error" in response.json()
    assert await count(bench, received_activities) == 0


async def test_inbox__rejects_a_wrong_signature(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    activity = await follow_of_alice(bench)
    body = json.dumps(activity).encode()
    headers = actor.sign(bench.base_url + "/inbox", body)
    tampered = body.replace(b"Follow", b"Folloe")
    headers["Digest"] = __import__("activitypub.signatures.digest", fromlist=["x"]).digest_header(
        tampered
    )
    response = await bench.client.post("/inbox", content=tampered, headers=headers)
    assert response.status_code in (400, 401)
    assert await count(bench, received_activities) == 0


async def test_inbox__rejects_a_signature_by_another_actor(bench: Bench) -> None:
    bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    mallory = bench.remote.add_actor(
        remote_actor("mastodon/actor.json", "https://masto.asonix.dog/users/mallory")
    )
    response = await bench.post_inbox(mallory, await follow_of_alice(bench))
    assert response.status_code == 403
    assert await count(bench, received_activities) == 0


async def test_inbox__rejects_an_object_on_a_foreign_origin(bench: Bench) -> None:
    actor = bench.remote.add_actor(
        remote_actor("mastodon/actor.json", "https://remote.example/users/alice")
    )
    create = fixture("misskey/create_note.json")
    create["object"]["id"] = "https://elsewhere.example/notes/1"
    response = await bench.post_inbox(actor, create)
    assert response.status_code == 400
    assert await count(bench, received_activities) == 0


async def test_inbox__a_replayed_activity_is_stored_once(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    activity = await follow_of_alice(bench)
    first = await bench.post_inbox(actor, activity)
    again = await bench.post_inbox(actor, activity)
    assert (first.status_code, again.status_code) == (202, 202)
    assert await count(bench, received_activities) == 1


async def test_inbox__refuses_an_oversized_body(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    activity = await follow_of_alice(bench)
    activity["padding"] = "x" * 1_100_000
    response = await bench.post_inbox(actor, activity)
    assert response.status_code == 413
    assert await count(bench, received_activities) == 0


async def test_inbox__refuses_a_blocked_domain(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    await set_domain_policy(bench.store, "masto.asonix.dog", "suspend", actor="test")
    response = await bench.post_inbox(actor, await follow_of_alice(bench))
    assert response.status_code == 403
    assert bench.remote.unexpected == []
    assert await count(bench, received_activities) == 0


async def test_inbox__stores_an_unknown_type_and_ignores_it(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{ASONIX}#dance/1",
        "type": "Dance",
        "actor": ASONIX,
        "object": bench.actor_uri("nobody"),
    }
    response = await bench.post_inbox(actor, activity)
    assert response.status_code == 202
    await bench.run_jobs()
    async with bench.store.read() as conn:
        processed = await conn.fetch_val(select(received_activities.c.processed_at))
    assert processed is not None


async def test_inbox__malformed_json_is_a_400(bench: Bench) -> None:
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", ASONIX))
    response = await bench.post_inbox(actor, {}, body=b"{not json")
    assert response.status_code == 400
