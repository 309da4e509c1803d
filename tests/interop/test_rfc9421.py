"""RFC 9421 HTTP Message Signatures both ways, against http-message-signatures (PyPI), an
implementation independent of Kollegium's (tests/interop/rfc9421/peer.py).

Fedify 1.5 and bovine-herd sign and verify draft-cavage only, so this small peer is the
RFC 9421 counterpart: it refuses anything but an RFC 9421 signature with 401, which makes
Kollegium double-knock (draft-cavage first, then RFC 9421, remembered for the peer).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
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
    running,
    wait_for_http,
)
from tests.support.processes import free_port, instance_env

pytestmark = pytest.mark.slow
PEER_HOST = "127.0.0.10"
AS = "https://www.w3.org/ns/activitystreams"


@dataclass
class Peer:
    base_url: str

    @property
    def domain(self) -> str:
        return self.base_url.removeprefix("http://")

    @property
    def actor(self) -> str:
        return f"{self.base_url}/users/carol"

    def send(self, inbox: str, **activity: Any) -> dict[str, Any]:
        body = {"inbox": inbox, "activity": {"@context": AS, "actor": self.actor, **activity}}
        return dict(httpx.post(f"{self.base_url}/_test/send", json=body, timeout=20).json())

    def received(self, kind: str) -> list[dict[str, Any]]:
        found = httpx.get(f"{self.base_url}/_test/inbox", timeout=5).json()
        return [r for r in found if r["activity"].get("type") == kind]

    def requests(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.base_url}/_test/requests", timeout=5).json())


@dataclass
class World:
    kollegium: Kollegium
    peer: Peer
    steps: Steps = field(default_factory=Steps)

    def carol_follows_rut(self) -> str:
        """carol's signed Follow, taken (202), and rut's Accept seen by the peer."""
        k, peer = self.kollegium, self.peer

        def step() -> str:
            follow_id = f"{peer.actor}#follow-1"
            sent = peer.send(
                f"{k.actor('rut')}/inbox", id=follow_id, type="Follow", object=k.actor("rut")
            )
            assert sent["status"] == 202, sent
            eventually(lambda: peer.received("Accept"), "rut's Accept on the peer")
            return follow_id

        return str(self.steps.once("carol follows rut", step))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, kollegium: Kollegium) -> Iterator[World]:
    python = HERE / ".venv" / "bin" / "python"
    require_path(python, "run tests/interop/setup.sh (the interop venv)")
    root = tmp_path_factory.mktemp("interop-rfc9421")
    port = free_port(PEER_HOST)
    env = instance_env("", "", PEER_HOST=PEER_HOST, PEER_PORT=str(port))
    env.pop("PYTHONPATH", None)
    log = root / "peer.log"
    peer = Peer(f"http://{PEER_HOST}:{port}")
    command = [str(python), str(HERE / "rfc9421" / "peer.py")]
    with running(command, cwd=root, env=env, log=log) as process:
        wait_for_http(f"{peer.base_url}/users/carol", process, log, 30)
        yield World(kollegium, peer)


def test_an_rfc9421_signed_follow_is_verified_and_the_accept_double_knocks(world: World) -> None:
    k, peer = world.kollegium, world.peer
    follow_id = world.carol_follows_rut()
    accepts = peer.received("Accept")
    assert accepts[0]["keyid"] == f"{k.actor('rut')}#main-key"
    accepted = accepts[0]["activity"]["object"]
    assert (accepted["id"] if isinstance(accepted, dict) else accepted) == follow_id
    schemes = [(r["scheme"], r["status"]) for r in peer.requests()]
    assert schemes[:2] == [("cavage", 401), ("rfc9421", 202)], schemes


def test_a_post_goes_out_with_rfc9421_at_once_once_learned(world: World) -> None:
    k, peer = world.kollegium, world.peer
    world.carol_follows_rut()
    before = len(peer.requests())
    status = k.post("rut", "Hej RFC 9421")

    def arrived() -> list[dict[str, Any]]:
        return [
            c for c in peer.received("Create") if c["activity"]["object"]["id"] == status["uri"]
        ]

    eventually(arrived, "the Create on the peer")
    assert [(r["scheme"], r["status"]) for r in peer.requests()[before:]] == [("rfc9421", 202)]


def test_an_rfc9421_signed_mention_notifies(world: World) -> None:
    k, peer = world.kollegium, world.peer
    note = {
        "id": f"{peer.actor}/notes/1",
        "type": "Note",
        "attributedTo": peer.actor,
        "content": "<p>@rut hej</p>",
        "to": [k.actor("rut")],
        "tag": [{"type": "Mention", "href": k.actor("rut"), "name": f"@rut@{k.domain}"}],
    }
    sent = peer.send(
        f"{k.base_url}/inbox",
        id=f"{peer.actor}/notes/1/activity",
        type="Create",
        object=note,
        to=note["to"],
    )
    assert sent["status"] == 202, sent
    mentions = eventually(lambda: k.notifications("rut", "mention"), "the mention on Kollegium")
    assert mentions[0]["account"]["acct"] == f"carol@{peer.domain}"


def test_a_forged_rfc9421_signature_is_refused(world: World) -> None:
    k, peer = world.kollegium, world.peer
    like = {"@context": AS, "id": f"{peer.actor}#x", "type": "Like", "actor": peer.actor}
    body = json.dumps({**like, "object": k.actor("rut")}).encode()
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    components = '("@method" "@target-uri" "content-digest")'
    params = f'created={int(time.time())};keyid="{peer.actor}#main-key"'
    forged = httpx.post(
        f"{k.base_url}/inbox",
        content=body,
        headers={
            "Content-Type": "application/activity+json",
            "Content-Digest": f"sha-256=:{digest}:",
            "Signature-Input": f"sig={components};{params}",
            "Signature": f"sig=:{base64.b64encode(bytes(256)).decode()}:",
        },
    )
    assert forged.status_code == 401, forged.text
