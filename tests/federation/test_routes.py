"""Actors, discovery and authorized fetch, as other servers see them."""

from __future__ import annotations

import json

from sqlalchemy import insert

from activitypub.vocab import parse_actor_document
from fediverse.ids import now_ms
from fediverse.storage.tables import statuses
from fediverse.urls import status_uri
from tests.federation.support import Bench, remote_actor

AP = {"Accept": "application/activity+json"}
LD = {"Accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}
PEER = "https://masto.asonix.dog/users/asonix"


async def test_actor__is_a_person_with_both_keys_and_a_shared_inbox(bench: Bench) -> None:
    await bench.user("alice", display_name="Alice Andersson")
    response = await bench.client.get("/users/alice", headers=AP)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/activity+json")
    document = response.json()
    actor = parse_actor_document(document)
    assert actor.type == "Person"
    assert actor.public_key is not None and actor.public_key.id.endswith("#main-key")
    assert actor.assertion_methods and actor.assertion_methods[0].public_key_multibase.startswith(
        "z6Mk"
    )
    assert actor.shared_inbox == f"{bench.base_url}/inbox"
    assert document["featured"].endswith("/collections/featured")
    assert document["manuallyApprovesFollowers"] is False
    assert "published" in document


async def test_actor__answers_ld_json_and_html(bench: Bench) -> None:
    await bench.user("alice")
    assert (await bench.client.get("/users/alice", headers=LD)).json()["type"] == "Person"
    page = await bench.client.get("/users/alice", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


async def test_actor__unknown_is_404_json(bench: Bench) -> None:
    response = await bench.client.get("/users/nobody", headers=AP)
    assert response.status_code == 404
    assert "error" in response.json()


async def test_instance_actor__is_an_application(bench: Bench) -> None:
    document = (await bench.client.get("/actor", headers=AP)).json()
    assert document["type"] == "Application"
    assert document["id"] == f"{bench.base_url}/actor"


async def test_webfinger__finds_users_and_the_instance_actor(bench: Bench) -> None:
    await bench.user("alice")
    response = await bench.client.get(
        "/.well-known/webfinger", params={"resource": "acct:alice@kommun-a.test"}
    )
    assert response.status_code == 200
    links = {link["rel"]: link for link in response.json()["links"]}
    assert links["self"]["href"] == bench.actor_uri("alice")
    by_url = await bench.client.get(
        "/.well-known/webfinger", params={"resource": bench.actor_uri("alice")}
    )
    assert by_url.json()["subject"] == "acct:alice@kommun-a.test"
    instance = await bench.client.get(
        "/.well-known/webfinger", params={"resource": "acct:kommun-a.test@kommun-a.test"}
    )
    assert instance.status_code == 200
    other = await bench.client.get(
        "/.well-known/webfinger", params={"resource": "acct:alice@elsewhere.example"}
    )
    assert other.status_code == 404


async def test_host_meta_and_nodeinfo(bench: Bench) -> None:
    meta = await bench.client.get("/.well-known/host-meta")
    assert "lrdd" in meta.text
    links = (await bench.client.get("/.well-known/nodeinfo")).json()["links"]
    for link in links:
        path = link["href"].removeprefix(bench.base_url)
        document = (await bench.client.get(path)).json()
        assert document["software"]["name"] == "kollegium"
    assert (await bench.client.get("/nodeinfo/3.0")).status_code == 404


async def _status(
    bench: Bench, account_id: int, *, local_only: bool, visibility: str = "public"
) -> str:
    status_id = bench.store.new_id()
    uri = status_uri(bench.base_url, "alice", status_id)
    async with bench.store.write() as conn:
        await conn.execute(
            insert(statuses).values(
                id=status_id,
                account_id=account_id,
                uri=uri,
                local=True,
                content="<p>Hej</p>",
                visibility=visibility,
                local_only=local_only,
                created_at=now_ms(),
            )
        )
    return uri.removeprefix(bench.base_url)


def _signed_get(peer: object, url: str) -> dict[str, str]:
    import time

    from activitypub.signatures import Scheme, sign_request
    from tests.federation.support import _KEY

    return sign_request(
        scheme=Scheme.CAVAGE,
        method="GET",
        url=url,
        headers={"Accept": "application/activity+json"},
        body=b"",
        key=_KEY,
        key_id=peer.key_id,
        now=time.time(),  # type: ignore[attr-defined]
    )


async def test_authorized_fetch__a_status_needs_a_signed_get(bench: Bench) -> None:
    alice = await bench.user("alice")
    path = await _status(bench, alice, local_only=False)
    assert (await bench.client.get(path, headers=AP)).status_code == 401
    peer = bench.remote.add_actor(remote_actor("mastodon/actor.json", PEER))
    signed = await bench.client.get(path, headers=_signed_get(peer, bench.base_url + path))
    assert signed.status_code == 200
    assert signed.json()["type"] == "Note"
    assert json.loads(signed.text)["content"] == "<p>Hej</p>"


async def test_authorized_fetch__local_only_is_404_even_signed(bench: Bench) -> None:
    alice = await bench.user("alice")
    path = await _status(bench, alice, local_only=True)
    peer = bench.remote.add_actor(remote_actor("mastodon/actor.json", PEER))
    signed = await bench.client.get(path, headers=_signed_get(peer, bench.base_url + path))
    assert signed.status_code == 404


async def test_authorized_fetch__collections_give_counts_to_signed_peers(bench: Bench) -> None:
    await bench.user("alice")
    peer = bench.remote.add_actor(remote_actor("mastodon/actor.json", PEER))
    for name in ("followers", "following", "outbox", "collections/featured"):
        path = f"/users/alice/{name}"
        assert (await bench.client.get(path, headers=AP)).status_code == 401
        signed = await bench.client.get(path, headers=_signed_get(peer, bench.base_url + path))
        assert signed.status_code == 200, name
        assert signed.json()["totalItems"] == 0
