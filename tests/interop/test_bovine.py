"""Kollegium against bovine-herd, an independent Python server (tests/interop/bovine/herd.py).

bovine-herd runs from its own venv (tests/interop/.venv). It verifies the draft-cavage
signature of every POST to its inbox and of every GET of its actor (authorized fetch, 401
unsigned), and signs what it sends; Kollegium verifies that in turn.
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
    running,
    wait_for_http,
)
from tests.support.processes import free_port, instance_env

pytestmark = pytest.mark.slow
HERD_HOST = "127.0.0.6"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass
class Herd:
    """The bovine-herd actor and the control API of herd.py."""

    base_url: str
    actor: str = ""
    acct: str = ""
    followers: str = ""

    def outbox(self, **activity: Any) -> dict[str, Any]:
        body = {"@context": "https://www.w3.org/ns/activitystreams", **activity}
        response = httpx.post(f"{self.base_url}/_test/outbox", json=body, timeout=20)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def received(self, kind: str, signer: str) -> list[dict[str, Any]]:
        inbox = httpx.get(f"{self.base_url}/_test/inbox", timeout=5).json()
        return [
            entry["activity"]
            for entry in inbox
            if entry["activity"].get("type") == kind and entry["signer"] == signer
        ]


@dataclass
class World:
    kollegium: Kollegium
    herd: Herd
    steps: Steps = field(default_factory=Steps)

    def herd_follows_bosse(self) -> str:
        """The herd's actor follows bosse and gets the signed Accept; the Follow's id."""
        k, herd = self.kollegium, self.herd

        def step() -> str:
            follow = herd.outbox(type="Follow", object=k.actor("bosse"), to=[k.actor("bosse")])
            eventually(lambda: herd.received("Accept", signer=k.actor("bosse")), "the Accept")
            return str(follow["id"])

        return str(self.steps.once("herd follows bosse", step))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, kollegium: Kollegium) -> Iterator[World]:
    python = HERE / ".venv" / "bin" / "python"
    require_path(python, "run tests/interop/setup.sh (bovine-herd's own venv)")
    root = tmp_path_factory.mktemp("interop-bovine")
    port = free_port(HERD_HOST)
    env = instance_env(
        "", "", BOVINE_HOST=HERD_HOST, BOVINE_PORT=str(port), BOVINE_DB=str(root / "herd.db")
    )
    env.pop("PYTHONPATH", None)
    log = root / "herd.log"
    herd = Herd(f"http://{HERD_HOST}:{port}")
    command = [str(python), str(HERE / "bovine" / "herd.py")]
    with running(command, cwd=root, env=env, log=log) as process:  # its caches go in root
        wait_for_http(f"{herd.base_url}/_test/actor", process, log, 30)
        found = httpx.get(f"{herd.base_url}/_test/actor").json()
        herd.actor, herd.acct, herd.followers = found["id"], found["acct"], found["followers"]
        yield World(kollegium, herd)


def test_kollegium_resolves_the_herd_actor_by_webfinger_and_signed_fetch(world: World) -> None:
    unsigned = httpx.get(world.herd.actor, headers={"Accept": "application/activity+json"})
    assert unsigned.status_code == 401  # so Kollegium's fetch below was signed and verified
    found = world.kollegium.resolve("berit", world.herd.acct)
    assert found["acct"] == world.herd.acct
    assert found["username"] == "bob"


def test_the_herd_resolves_a_kollegium_actor_by_webfinger(world: World) -> None:
    k = world.kollegium
    found = httpx.get(
        f"{world.herd.base_url}/_test/lookup",
        params={"acct": f"bosse@{k.domain}", "origin": k.base_url},
        timeout=20,
    )
    assert found.status_code == 200, found.text
    actor = found.json()
    assert actor["id"] == k.actor("bosse")
    assert actor["preferredUsername"] == "bosse"
    assert actor["publicKey"]["id"] == f"{k.actor('bosse')}#main-key"


def test_the_herd_follows_a_kollegium_user_and_gets_a_signed_accept(world: World) -> None:
    k, herd = world.kollegium, world.herd
    follow = world.herd_follows_bosse()
    accepts = herd.received("Accept", signer=k.actor("bosse"))
    accepted = accepts[0]["object"]
    assert (accepted["id"] if isinstance(accepted, dict) else accepted) == follow
    me = k.api("bosse", "GET", "/api/v1/accounts/verify_credentials")["id"]
    followers = k.api("bosse", "GET", f"/api/v1/accounts/{me}/followers")
    assert [f["acct"] for f in followers] == [herd.acct]


def test_a_kollegium_post_reaches_the_herd_signed(world: World) -> None:
    k, herd = world.kollegium, world.herd
    world.herd_follows_bosse()
    status = k.post("bosse", "Hej bovine, från Kollegium")

    def arrived() -> list[dict[str, Any]]:
        creates = herd.received("Create", signer=k.actor("bosse"))
        return [c for c in creates if c["object"]["id"] == status["uri"]]

    create = eventually(arrived, "the Create on the herd")[0]
    assert "Hej bovine" in create["object"]["content"]


def test_kollegium_follows_the_herd_and_its_post_reaches_the_home_timeline(world: World) -> None:
    k, herd = world.kollegium, world.herd
    bob = k.resolve("berit", herd.acct)["id"]
    k.api("berit", "POST", f"/api/v1/accounts/{bob}/follow")
    follows = eventually(
        lambda: herd.received("Follow", signer=k.actor("berit")), "berit's Follow on the herd"
    )
    # bovine-herd leaves accepting to its client: accepting through its outbox (signed).
    herd.outbox(type="Accept", object=follows[0]["id"], to=[k.actor("berit")])
    eventually(lambda: k.relationship("berit", bob)["following"], "the herd's Accept")

    # As bovine's clients do: the client writes the Note, bovine assigns ids and delivers
    # it to the followers it recorded when the Accept went out.
    note = {
        "type": "Note",
        "attributedTo": herd.actor,
        "content": "Hej från bovine",
        "to": [PUBLIC],
        "cc": [herd.followers],
    }
    sent = herd.outbox(type="Create", object=note, to=[PUBLIC], cc=[herd.followers])
    uri = sent["object"]["id"] if isinstance(sent["object"], dict) else sent["object"]

    def on_home() -> dict[str, Any] | None:
        return k.home_status("berit", uri)

    status = eventually(on_home, "the herd's post on berit's home timeline")
    assert "Hej från bovine" in status["content"]
    assert status["account"]["acct"] == herd.acct
