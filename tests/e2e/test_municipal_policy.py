"""The municipal model end to end: three instances as real processes, each in allowlist mode.

A (127.0.0.1) allows B; B (127.0.0.2) allows A and C; C (127.0.0.3) allows B only. Set up
with the `kollegium federation` CLI, changed at run time through A's Mastodon admin API.
Everything is seen through each instance's Mastodon API, except the signed fetch of a
status id, which B makes with its own federation code on its own database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from federation.errors import FederationError
from federation.http import build_client
from federation.service import build_federation
from fediverse.runtime import open_runtime
from fediverse.settings import load_settings
from tests.e2e.test_three_instances import PASSWORD, Instance, relationship, start_all
from tests.support.processes import (
    eventually,
    free_port,
    instance_env,
    kollegium,
    kollegium_all,
    loopback,
    password_tokens,
)

pytestmark = pytest.mark.slow
SCOPES = "read write follow admin:read admin:write"
QUIET_SECONDS = 2.0  # how long "nothing arrives" is watched for


def make_instance(
    root: Path, host: str, members: dict[str, str], mode: str = "allowlist"
) -> Instance:
    """An instance in federation ``mode`` with ``members`` (name -> role), not started, not
    yet allowing anyone."""
    cwd = root / host
    cwd.mkdir()
    port = free_port(host)
    env = instance_env(
        f"sqlite:///{cwd / 'kollegium.db'}",
        f"{host}:{port}",
        KOLLEGIUM_MEDIA_DIR=str(cwd / "media"),
        KOLLEGIUM_FEDERATION_MODE=mode,
    )
    users = [
        ("user", "create", name, "--email", f"{name}@example.com", "--password", PASSWORD,
         "--role", role)
        for name, role in members.items()
    ]  # fmt: skip
    done = kollegium_all([("init",), *users], env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return Instance(host, port, cwd, env, tuple(members))


def allow(instance: Instance, *others: Instance) -> None:
    for other in others:
        done = kollegium("federation", "allow", other.domain, env=instance.env, cwd=instance.cwd)
        assert done.returncode == 0, done.stderr


def sign_in(instance: Instance) -> None:
    instance.tokens.update(password_tokens(instance.base_url, instance.members, PASSWORD, SCOPES))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Instance]]:
    root = tmp_path_factory.mktemp("municipal")
    members = {
        "127.0.0.1": {"anna": "user", "adam": "admin"},
        "127.0.0.2": {"bosse": "user"},
        "127.0.0.3": {"cilla": "user"},
    }
    with ThreadPoolExecutor(max_workers=3) as pool:  # each is a handful of CLI runs
        a, b, c = pool.map(lambda host: make_instance(root, host, members[host]), members)
    allow(a, b)
    allow(b, a, c)
    allow(c, b)
    with ExitStack() as stack:
        start_all(stack, a, b, c)
        for instance in (a, b, c):
            sign_in(instance)
        yield {"a": a, "b": b, "c": c}


def resolve(instance: Instance, member: str, acct: str) -> str | None:
    """The local id of a remote account, found by the Mastodon search with ``resolve``."""
    found = instance.api(
        member, "GET", "/api/v2/search", params={"q": acct, "resolve": "true", "type": "accounts"}
    )
    return str(found["accounts"][0]["id"]) if found["accounts"] else None


def signed_fetch(instance: Instance, url: str) -> str:
    """GET ``url`` signed by ``instance``'s own federation code: "200", or why it failed."""

    async def run() -> str:
        settings = load_settings(instance.env, env_file=None)
        async with open_runtime(settings) as runtime, build_client(settings) as http:
            try:
                await build_federation(runtime, http).fetcher.get_json(url)
            except FederationError as exc:
                return exc.message
            return "200"

    return asyncio.run(run())


def home_uris(instance: Instance, member: str) -> list[str]:
    seen = instance.api(member, "GET", "/api/v1/timelines/home", params={"limit": 40})
    return [s["uri"] for s in seen] + [s["reblog"]["uri"] for s in seen if s.get("reblog")]


def public_uris(instance: Instance, member: str) -> list[str]:
    seen = instance.api(member, "GET", "/api/v1/timelines/public", params={"limit": 40})
    return [s["uri"] for s in seen]


def post(instance: Instance, member: str, text: str, **extra: Any) -> dict[str, Any]:
    data = {"status": text, "visibility": "public", **extra}
    return dict(instance.api(member, "POST", "/api/v1/statuses", data=data))


def mentions(instance: Instance, member: str) -> list[str]:
    found = instance.api(member, "GET", "/api/v1/notifications", params={"types[]": "mention"})
    return [n["status"]["content"] for n in found if n["type"] == "mention"]


def status_code(instance: Instance, member: str, path: str) -> int:
    headers = {"Authorization": f"Bearer {instance.tokens[member]}"}
    return loopback().get(instance.base_url + path, headers=headers, timeout=10).status_code


def test_instances_outside_each_others_allowlists_do_not_meet(
    world: dict[str, Instance],
) -> None:
    a, c = world["a"], world["c"]
    assert resolve(c, "cilla", f"anna@{a.domain}") is None  # C does not allow A
    assert resolve(a, "anna", f"cilla@{c.domain}") is None  # A does not allow C
    assert "does not federate" in signed_fetch(c, f"{a.base_url}/users/anna")


def test_a_local_only_status_is_never_seen_on_b(world: dict[str, Instance]) -> None:
    a, b = world["a"], world["b"]
    anna = resolve(b, "bosse", f"anna@{a.domain}")
    assert anna is not None
    b.api("bosse", "POST", f"/api/v1/accounts/{anna}/follow")
    eventually(lambda: relationship(b, "bosse", anna)["following"], "bosse follows anna")

    internal = post(a, "anna", "Internt: bara för kommun A")  # no local_only: the default
    assert internal["local_only"] is True
    reply = post(a, "anna", "Svar", in_reply_to_id=internal["id"], local_only="false")
    assert reply["local_only"] is True  # a reply to a local-only status stays home
    boost = a.api("anna", "POST", f"/api/v1/statuses/{internal['id']}/reblog")
    federated = post(a, "anna", "Till alla kommuner", local_only="false")
    assert federated["local_only"] is False

    eventually(lambda: federated["uri"] in home_uris(b, "bosse"), "the federated post on B")
    time.sleep(1.0)  # anything sent before it would have arrived by now
    hidden = {internal["uri"], reply["uri"], boost["uri"]}
    assert hidden.isdisjoint(home_uris(b, "bosse"))
    assert hidden.isdisjoint(public_uris(b, "bosse"))
    assert "404" in signed_fetch(b, internal["uri"])
    assert "404" in signed_fetch(b, reply["uri"])
    assert signed_fetch(b, federated["uri"]) == "200"


def test_a_local_only_post_to_a_group_is_not_announced_to_b(world: dict[str, Instance]) -> None:
    a, b = world["a"], world["b"]
    group = a.api("anna", "POST", "/api/v1/groups", data={"name": "kollegiet", "privacy": "open"})
    acct = f"kollegiet@{a.domain}"
    found = b.api(
        "bosse", "GET", "/api/v2/search", params={"q": acct, "resolve": "true", "type": "accounts"}
    )["accounts"]
    assert found and found[0]["group"] is True
    b.api("bosse", "POST", f"/api/v1/groups/{found[0]['id']}/join")
    eventually(
        lambda: b.api("bosse", "GET", f"/api/v1/groups/{found[0]['id']}")["membership"] == "member",
        "bosse joined the group on A",
    )
    internal = post(a, "anna", f"@{acct} Bara för oss i kommun A", local_only="true")
    shared = post(a, "anna", f"@{acct} Till hela kollegiet", local_only="false")
    group_posts = a.api("anna", "GET", f"/api/v1/groups/{group['id']}/posts")
    assert internal["uri"] in [s["uri"] for s in group_posts]  # local members still get it
    eventually(lambda: shared["uri"] in home_uris(b, "bosse"), "the federated group post on B")
    time.sleep(1.0)
    assert internal["uri"] not in home_uris(b, "bosse")
    assert "404" in signed_fetch(b, internal["uri"])


def test_suspending_b_removes_its_content_and_stops_traffic_both_ways(
    world: dict[str, Instance],
) -> None:
    a, b = world["a"], world["b"]
    bosse = resolve(a, "anna", f"bosse@{b.domain}")
    anna = resolve(b, "bosse", f"anna@{a.domain}")
    assert bosse is not None and anna is not None
    a.api("anna", "POST", f"/api/v1/accounts/{bosse}/follow")
    eventually(lambda: relationship(a, "anna", bosse)["following"], "anna follows bosse")
    from_b = post(b, "bosse", "Hej från B", local_only="false")
    eventually(lambda: from_b["uri"] in home_uris(a, "anna"), "bosse's post on A")

    block = a.api(
        "adam",
        "POST",
        "/api/v1/admin/domain_blocks",
        data={"domain": b.domain, "severity": "suspend"},
    )
    assert block["severity"] == "suspend"
    eventually(
        lambda: (
            not relationship(a, "anna", bosse)["following"]
            and not relationship(a, "anna", bosse)["followed_by"]
        ),
        "follows with B removed on A",
    )
    eventually(lambda: from_b["uri"] not in home_uris(a, "anna"), "B's post removed from A")

    later_b = post(b, "bosse", "Medan A stängt", local_only="false")
    later_a = post(a, "anna", f"@bosse@{b.domain} hör du?", local_only="false")
    time.sleep(QUIET_SECONDS)
    assert later_b["uri"] not in home_uris(a, "anna")
    assert not any("hör du" in m for m in mentions(b, "bosse"))
    assert resolve(a, "anna", f"bosse@{b.domain}") is None
    assert "403" in signed_fetch(b, later_a["uri"]) or "does not federate" in signed_fetch(
        b, later_a["uri"]
    )

    a.api("adam", "POST", "/api/v1/admin/domain_allows", data={"domain": b.domain})
    again = resolve(a, "anna", f"bosse@{b.domain}")
    assert again is not None
    a.api("anna", "POST", f"/api/v1/accounts/{again}/follow")
    eventually(lambda: relationship(a, "anna", again)["following"], "anna follows bosse again")
    after_b = post(b, "bosse", "Öppet igen", local_only="false")
    eventually(lambda: after_b["uri"] in home_uris(a, "anna"), "B's new post on A")
    post(a, "anna", f"@bosse@{b.domain} välkommen tillbaka", local_only="false")
    eventually(
        lambda: any("välkommen tillbaka" in m for m in mentions(b, "bosse")), "A's mention on B"
    )
