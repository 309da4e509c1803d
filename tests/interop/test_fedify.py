"""Kollegium against an independent peer written with Fedify 1.5 (tests/interop/fedify/peer.mjs).

Both sides are real processes on loopback and both verify every signature: Fedify's inbox
answers 401 to anything it cannot verify (shown below), and so does Kollegium's. Fedify 1.5
signs and verifies draft-cavage HTTP signatures only (RFC 9421 arrived in Fedify 1.6), so
RFC 9421 is not exercised against this peer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.interop.support import (
    HERE,
    Kollegium,
    Steps,
    eventually,
    require_path,
    require_tool,
    running,
    wait_for_http,
)
from tests.support.processes import free_port, instance_env

pytestmark = pytest.mark.slow
PEER_HOST = "127.0.0.5"


@dataclass
class FedifyPeer:
    """The Fedify peer's actor and its control API."""

    base_url: str
    actor_name: str = "alice"

    @property
    def domain(self) -> str:
        return self.base_url.removeprefix("http://")

    @property
    def actor(self) -> str:
        return f"{self.base_url}/users/{self.actor_name}"

    def command(self, name: str, **body: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.base_url}/_test/{name}", json=body, timeout=15)
        assert response.status_code == 200, (name, response.text)
        return dict(response.json())

    def inbox(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.base_url}/_test/inbox", timeout=5).json())

    def requests(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.base_url}/_test/requests", timeout=5).json())

    def received(self, kind: str, **match: str) -> list[dict[str, Any]]:
        return [
            a
            for a in self.inbox()
            if a["type"] == kind and all(a.get(k) == v for k, v in match.items())
        ]


@dataclass
class World:
    kollegium: Kollegium
    peer: FedifyPeer
    steps: Steps = field(default_factory=Steps)

    def fedify_follows_kalle(self) -> str:
        """Fedify's actor follows kalle and gets the Accept; the Follow's id."""

        def step() -> str:
            follow = str(self.peer.command("follow", target=self.kollegium.actor("kalle"))["id"])
            eventually(lambda: self.peer.received("Accept", object=follow), "Accept on Fedify")
            return follow

        return str(self.steps.once("fedify follows kalle", step))

    def karin_follows_alice(self) -> str:
        """karin follows Fedify's actor and gets its Accept; alice's account id on Kollegium."""
        k = self.kollegium

        def step() -> str:
            alice = str(k.resolve("karin", f"alice@{self.peer.domain}")["id"])
            k.api("karin", "POST", f"/api/v1/accounts/{alice}/follow")
            eventually(lambda: k.relationship("karin", alice)["following"], "Fedify's Accept")
            return alice

        return str(self.steps.once("karin follows alice", step))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, kollegium: Kollegium) -> Iterator[World]:
    node = require_tool("node")
    require_path(HERE / "fedify" / "node_modules" / "@fedify", "run tests/interop/setup.sh")
    root = tmp_path_factory.mktemp("interop-fedify")
    port = free_port(PEER_HOST)
    env = instance_env("", "", PEER_HOST=PEER_HOST, PEER_PORT=str(port))
    log = root / "fedify.log"
    peer = FedifyPeer(f"http://{PEER_HOST}:{port}")
    with running([node, "peer.mjs"], cwd=HERE / "fedify", env=env, log=log) as process:
        wait_for_http(f"{peer.base_url}/_test/health", process, log, 20)
        yield World(kollegium, peer)


def peer_note_in_home(world: World, note: str) -> dict[str, Any]:
    return dict(
        eventually(lambda: world.kollegium.home_status("karin", note), "the Fedify note on home")
    )


def test_kollegium_resolves_the_fedify_actor_by_webfinger(world: World) -> None:
    found = world.kollegium.resolve("karin", f"alice@{world.peer.domain}")
    assert found["acct"] == f"alice@{world.peer.domain}"
    assert found["username"] == "alice"
    assert found["display_name"] == "Alice Fedify"
    assert found["url"] == f"{world.peer.base_url}/@alice"


def test_fedify_follows_a_kollegium_user_and_gets_accept(world: World) -> None:
    k, peer = world.kollegium, world.peer
    follow = world.fedify_follows_kalle()
    accepts = peer.received("Accept", object=follow)
    assert accepts[0]["actor"] == k.actor("kalle")
    me = k.api("kalle", "GET", "/api/v1/accounts/verify_credentials")["id"]
    followers = k.api("kalle", "GET", f"/api/v1/accounts/{me}/followers")
    assert [f["acct"] for f in followers] == [f"alice@{peer.domain}"]


def test_a_kollegium_post_reaches_fedify_with_a_signature_it_verified(world: World) -> None:
    k, peer = world.kollegium, world.peer
    world.fedify_follows_kalle()
    status = k.post("kalle", "Hej Fedify, från Kollegium")
    creates = eventually(lambda: peer.received("Create", object=status["uri"]), "Create on Fedify")
    note = creates[0]["json"]["object"]
    assert "Hej Fedify" in note["content"]
    assert note["attributedTo"] == k.actor("kalle")
    delivered = [r for r in peer.requests() if r["status"] == 202]
    assert delivered, peer.requests()
    assert any(f'keyId="{k.actor("kalle")}#main-key"' in r["signature"] for r in delivered)


def test_a_local_only_post_never_reaches_fedify(world: World) -> None:
    k, peer = world.kollegium, world.peer
    world.fedify_follows_kalle()
    status = k.post("kalle", "Bara för oss", local_only="true")
    marker = k.post("kalle", "Efter den lokala")
    eventually(lambda: peer.received("Create", object=marker["uri"]), "the later post on Fedify")
    assert not peer.received("Create", object=status["uri"])


def test_fedify_refuses_an_unsigned_delivery(world: World) -> None:
    k, peer = world.kollegium, world.peer
    forged = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{k.actor('kalle')}#forged",
        "type": "Create",
        "actor": k.actor("kalle"),
        "object": {"id": f"{k.actor('kalle')}/forged", "type": "Note", "content": "x"},
    }
    answer = httpx.post(
        f"{peer.base_url}/inbox",
        json=forged,
        headers={"Content-Type": "application/activity+json"},
    )
    assert answer.status_code == 401
    assert not peer.received("Create", id=forged["id"])


def test_kollegium_follows_fedify_and_its_note_reaches_the_home_timeline(world: World) -> None:
    k, peer = world.kollegium, world.peer
    world.karin_follows_alice()
    follows = peer.received("Follow", actor=k.actor("karin"))
    assert follows[0]["object"] == peer.actor

    # The command answers 200 only when Kollegium's inbox accepted the signed POST (202).
    note = peer.command("create", content="<p>Hej från Fedify</p>")["note"]
    status = peer_note_in_home(world, note)
    assert "Hej från Fedify" in status["content"]
    assert status["account"]["acct"] == f"alice@{peer.domain}"


def test_a_fedify_mention_notifies_the_kollegium_user(world: World) -> None:
    k, peer = world.kollegium, world.peer
    peer.command("create", content="<p>@kalle titta här</p>", mention=k.actor("kalle"))
    mentions = eventually(lambda: k.notifications("kalle", "mention"), "the mention on Kollegium")
    assert mentions[0]["account"]["acct"] == f"alice@{peer.domain}"


def test_like_and_undo_from_kollegium_reach_fedify(world: World) -> None:
    k, peer = world.kollegium, world.peer
    world.karin_follows_alice()
    note = peer.command("create", content="<p>Gilla mig</p>")["note"]
    status = peer_note_in_home(world, note)
    k.api("karin", "POST", f"/api/v1/statuses/{status['id']}/favourite")
    likes = eventually(lambda: peer.received("Like", object=note), "the Like on Fedify")
    assert likes[0]["actor"] == k.actor("karin")
    k.api("karin", "POST", f"/api/v1/statuses/{status['id']}/unfavourite")
    undos = eventually(lambda: peer.received("Undo", object=likes[0]["id"]), "the Undo on Fedify")
    assert undos[0]["actor"] == k.actor("karin")


def test_like_and_undo_from_fedify_reach_kollegium(world: World) -> None:
    k, peer = world.kollegium, world.peer
    status = k.post("kalle", "Gilla gärna")
    like = peer.command("like", object=status["uri"], author=k.actor("kalle"))["id"]
    path = f"/api/v1/statuses/{status['id']}"
    eventually(lambda: k.api("kalle", "GET", path)["favourites_count"] == 1, "the like counted")
    favourites = k.notifications("kalle", "favourite")
    assert favourites[0]["account"]["acct"] == f"alice@{peer.domain}"
    peer.command("undo", activity=like)
    eventually(lambda: k.api("kalle", "GET", path)["favourites_count"] == 0, "the undo counted")


def test_a_fedify_delete_removes_the_status_on_kollegium(world: World) -> None:
    k, peer = world.kollegium, world.peer
    world.karin_follows_alice()
    note = peer.command("create", content="<p>Snart borta</p>")["note"]
    status = peer_note_in_home(world, note)
    peer.command("delete", note=note)
    eventually(
        lambda: k.status_code("karin", f"/api/v1/statuses/{status['id']}") == 404,
        "the delete on Kollegium",
    )


def test_a_kollegium_delete_reaches_fedify(world: World) -> None:
    k, peer = world.kollegium, world.peer
    world.fedify_follows_kalle()
    status = k.post("kalle", "Det här tar jag bort")
    eventually(lambda: peer.received("Create", object=status["uri"]), "the post on Fedify")
    k.api("kalle", "DELETE", f"/api/v1/statuses/{status['id']}")
    eventually(lambda: peer.received("Delete", object=status["uri"]), "the Delete on Fedify")


def test_the_peer_recorded_no_inbox_errors(world: World) -> None:
    errors = [a for a in world.peer.inbox() if a["type"] == "Error"]
    assert errors == []
