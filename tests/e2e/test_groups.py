"""Groups across three instances as real processes (FEP-1b12), through each one's own API.

A (127.0.0.1) allows B; B (127.0.0.2) allows A and C; C (127.0.0.3) allows B only, each in
allowlist mode, set up with `kollegium federation allow`. Groups live on A.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from mastodon import Mastodon

from federation.http import build_client
from federation.service import build_federation
from federation.signing import SignatureAuth
from fediverse.remote import local_account_by_username
from fediverse.runtime import open_runtime
from fediverse.settings import load_settings
from tests.clients.conftest import PASSWORD, prepare_instance
from tests.support.processes import (
    eventually,
    free_port,
    loopback,
    password_tokens,
    serving_together,
)

pytestmark = pytest.mark.slow
WAIT_SECONDS = 25.0
SCOPES = ["read", "write", "follow"]


@dataclass
class Node:
    """One running instance and a token per member (anna, bosse, cilla)."""

    host: str
    port: int
    env: dict[str, str]
    cwd: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.domain}"

    def call(self, member: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"}
        return loopback().request(
            method, self.base_url + path, headers=headers, timeout=15, **kwargs
        )

    def api(self, member: str, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(member, method, path, **kwargs)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json()

    def sign_in(self) -> None:
        self.tokens.update(password_tokens(self.base_url, ("anna", "bosse", "cilla"), PASSWORD))

    def resolve(self, member: str, acct: str) -> dict[str, Any] | None:
        found = self.api(
            member,
            "GET",
            "/api/v2/search",
            params={"q": acct, "resolve": "true", "type": "accounts"},
        )["accounts"]
        return dict(found[0]) if found else None

    def home_uris(self, member: str) -> list[str]:
        return [s["uri"] for s in self.api(member, "GET", "/api/v1/timelines/home")]

    def group_post_uris(self, member: str, group_id: str) -> list[str]:
        return [s["uri"] for s in self.api(member, "GET", f"/api/v1/groups/{group_id}/posts")]


def _prepare(root: Path, name: str, host: str, port: int, allowed: tuple[str, ...]) -> Node:
    cwd = root / name
    cwd.mkdir()
    env = prepare_instance(f"sqlite:///{cwd / 'k.db'}", cwd, host, port, allow=allowed)
    return Node(host, port, env, cwd)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    """The three instances, prepared side by side (each is a handful of CLI runs)."""
    root = tmp_path_factory.mktemp("groups")
    hosts = {"a": "127.0.0.1", "b": "127.0.0.2", "c": "127.0.0.3"}
    ports = {name: free_port(host) for name, host in hosts.items()}
    domain = {name: f"{hosts[name]}:{ports[name]}" for name in hosts}
    allows = {"a": ("b",), "b": ("a", "c"), "c": ("b",)}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            name: pool.submit(
                _prepare, root, name, host, ports[name], tuple(domain[o] for o in allows[name])
            )
            for name, host in hosts.items()
        }
        nodes = {name: future.result() for name, future in futures.items()}
    servers = [(node.env, node.cwd, node.host, node.port) for node in nodes.values()]
    with serving_together(*servers):
        for node in nodes.values():
            node.sign_in()
        yield nodes


def signed_post(node: Node, username: str, url: str, activity: dict[str, Any]) -> httpx.Response:
    """POST an activity as one of ``node``'s members, signed with its key (a server's way)."""

    async def run() -> httpx.Response:
        settings = load_settings(node.env, env_file=None)
        async with open_runtime(settings) as runtime, build_client(settings) as http:
            fed = build_federation(runtime, http)
            async with runtime.store.read() as conn:
                account = await local_account_by_username(conn, username)
            assert account is not None
            key = await fed.keys.for_account(account.id)
            return await http.post(
                url,
                content=orjson.dumps(activity),
                headers={"Content-Type": "application/activity+json"},
                auth=SignatureAuth(key, fed.memory),
            )

    return asyncio.run(run())


def create_group(node: Node, owner: str, name: str, privacy: str) -> dict[str, Any]:
    return dict(node.api(owner, "POST", "/api/v1/groups", data={"name": name, "privacy": privacy}))


def join_remote(node: Node, member: str, acct: str) -> str:
    """Find a remote group through search and join it; returns its id on ``node``."""
    found = node.resolve(member, acct)
    assert found is not None and found["group"] is True, found
    node.api(member, "POST", f"/api/v1/groups/{found['id']}/join")
    return str(found["id"])


def is_member(node: Node, member: str, group_id: str) -> bool:
    return node.api(member, "GET", f"/api/v1/groups/{group_id}")["membership"] == "member"


def test_open_group__members_on_a_and_b_each_get_a_post_once_c_cannot_join(
    world: dict[str, Node],
) -> None:
    a, b, c = world["a"], world["b"], world["c"]
    group = create_group(a, "anna", "forskola", "open")
    acct = f"forskola@{a.domain}"
    a.api("bosse", "POST", f"/api/v1/groups/{group['id']}/join")
    on_b = join_remote(b, "bosse", acct)
    join_remote(b, "cilla", acct)
    eventually(lambda: is_member(b, "bosse", on_b) and is_member(b, "cilla", on_b), "joined")

    post = b.api("cilla", "POST", "/api/v1/statuses", data={"status": f"@{acct} Hej alla!"})
    uri = post["uri"]
    eventually(lambda: uri in a.group_post_uris("anna", group["id"]), "the post on A's group")
    for node, member in ((a, "anna"), (a, "bosse"), (b, "bosse"), (b, "cilla")):
        eventually(
            lambda n=node, m=member: uri in n.home_uris(m),  # type: ignore[misc]
            f"{member}@{node.domain} got it",
        )
    time.sleep(1.0)  # both announces (activity and object) have arrived by now
    for node, member in ((a, "anna"), (a, "bosse"), (b, "bosse"), (b, "cilla")):
        assert node.home_uris(member).count(uri) == 1, (member, node.domain)
    assert b.group_post_uris("bosse", on_b).count(uri) == 1

    assert c.resolve("cilla", acct) is None  # C does not federate with A
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{c.base_url}/users/cilla#follows/group-test",
        "type": "Follow",
        "actor": f"{c.base_url}/users/cilla",
        "object": group["uri"],
    }
    refused = signed_post(c, "cilla", f"{group['uri']}/inbox", follow)
    assert refused.status_code == 403
    assert c.domain in refused.json()["error"]


def _account_on(node: Node, member: str, group_id: str, acct: str) -> str:
    for entry in node.api(member, "GET", f"/api/v1/groups/{group_id}/members"):
        if entry["account"]["acct"] == acct:
            return str(entry["account"]["id"])
    raise AssertionError(f"{acct} is not a member")


def test_open_group__a_banned_member_is_refused_and_a_removed_post_disappears_everywhere(
    world: dict[str, Node],
) -> None:
    a, b = world["a"], world["b"]
    group = create_group(a, "anna", "fritids", "open")
    acct = f"fritids@{a.domain}"
    on_b = join_remote(b, "bosse", acct)
    join_remote(b, "cilla", acct)
    eventually(lambda: is_member(b, "bosse", on_b) and is_member(b, "cilla", on_b), "joined")

    post = b.api("bosse", "POST", "/api/v1/statuses", data={"status": f"@{acct} Tas bort"})
    eventually(lambda: post["uri"] in a.group_post_uris("anna", group["id"]), "post on A")
    eventually(lambda: post["uri"] in b.home_uris("cilla"), "post at cilla on B")
    on_a = a.group_post_uris("anna", group["id"])
    status_on_a = next(
        s["id"]
        for s in a.api("anna", "GET", f"/api/v1/groups/{group['id']}/posts")
        if s["uri"] == post["uri"]
    )
    assert post["uri"] in on_a
    a.api("anna", "DELETE", f"/api/v1/groups/{group['id']}/posts/{status_on_a}")
    assert post["uri"] not in a.group_post_uris("anna", group["id"])
    eventually(
        lambda: b.call("bosse", "GET", f"/api/v1/statuses/{post['id']}").status_code == 404,
        "the removed post gone on B",
    )
    assert post["uri"] not in b.home_uris("cilla")

    cilla_on_a = _account_on(a, "anna", group["id"], f"cilla@{b.domain}")
    a.api("anna", "POST", f"/api/v1/groups/{group['id']}/bans", data={"account_id": cilla_on_a})
    eventually(lambda: not is_member(b, "cilla", on_b), "the ban reached B")
    refused = b.call("cilla", "POST", "/api/v1/statuses", data={"status": f"@{acct} Hallå?"})
    assert refused.status_code == 403, refused.text

    # Had B not heard of the ban, A refuses the post itself.
    note_id = f"{b.base_url}/users/cilla/statuses/424242"
    create = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": f"{b.base_url}/users/cilla",
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": f"{b.base_url}/users/cilla",
            "content": "<p>Bannad men envis</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public", group["uri"]],
            "audience": group["uri"],
            "published": "2026-11-27T12:00:00Z",
        },
    }
    assert signed_post(b, "cilla", f"{a.base_url}/inbox", create).status_code == 202
    time.sleep(2.0)
    assert note_id not in a.group_post_uris("anna", group["id"])


def test_closed_group__a_join_request_waits_then_the_member_reads_earlier_posts(
    world: dict[str, Node],
) -> None:
    a, b = world["a"], world["b"]
    group = create_group(a, "anna", "ledning", "closed")
    earlier = a.api("anna", "POST", "/api/v1/statuses", data={"status": "@ledning Tidigare"})
    on_b = join_remote(b, "bosse", f"ledning@{a.domain}")
    requests = eventually(
        lambda: a.api("anna", "GET", f"/api/v1/groups/{group['id']}/join_requests"),
        "the join request on A",
    )
    assert [r["account"]["acct"] for r in requests] == [f"bosse@{b.domain}"]
    time.sleep(1.0)
    assert b.api("bosse", "GET", f"/api/v1/groups/{on_b}")["membership"] == "pending"
    assert b.call("bosse", "GET", f"/api/v1/groups/{on_b}/posts").status_code == 403

    requester = requests[0]["account"]["id"]
    a.api("anna", "POST", f"/api/v1/groups/{group['id']}/join_requests/{requester}/approve")
    eventually(lambda: is_member(b, "bosse", on_b), "membership on B")
    eventually(lambda: earlier["uri"] in b.group_post_uris("bosse", on_b), "earlier posts on B")


def test_internal_group__never_appears_to_b_or_c(world: dict[str, Node]) -> None:
    a, b, c = world["a"], world["b"], world["c"]
    group = create_group(a, "anna", "personalrum", "internal")
    acct = f"personalrum@{a.domain}"
    finger = httpx.get(f"{a.base_url}/.well-known/webfinger", params={"resource": f"acct:{acct}"})
    assert finger.status_code == 404
    actor = httpx.get(group["uri"], headers={"Accept": "application/activity+json"})
    assert actor.status_code == 404
    assert b.resolve("bosse", acct) is None
    assert b.resolve("bosse", group["uri"]) is None
    assert c.resolve("cilla", acct) is None
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{b.base_url}/users/bosse#follows/internal-test",
        "type": "Follow",
        "actor": f"{b.base_url}/users/bosse",
        "object": group["uri"],
    }
    signed_post(b, "bosse", f"{a.base_url}/inbox", follow)
    time.sleep(2.0)
    members = a.api("anna", "GET", f"/api/v1/groups/{group['id']}/members")
    assert [m["account"]["acct"] for m in members] == ["anna"]
    assert a.api("anna", "GET", f"/api/v1/groups/{group['id']}/join_requests") == []


def test_mastodon_py_on_b_joins_by_following_and_posts_by_mentioning(
    world: dict[str, Node],
) -> None:
    a, b = world["a"], world["b"]
    group = create_group(a, "anna", "larare", "open")
    client_id, secret = Mastodon.create_app("groups-e2e", api_base_url=b.base_url, scopes=SCOPES)
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=b.base_url)
    api.log_in("bosse", PASSWORD, scopes=SCOPES, allow_http=True)
    found = api.search_v2(f"larare@{a.domain}", resolve=True, result_type="accounts").accounts
    assert found and found[0].group is True
    api.account_follow(found[0].id)
    eventually(lambda: api.account_relationships(found[0].id)[0].following, "following")
    status = api.status_post(f"@larare@{a.domain} Från Mastodon.py")
    eventually(lambda: status.uri in a.group_post_uris("anna", group["id"]), "post on A")
    eventually(lambda: status.uri in a.home_uris("anna"), "post in anna's home on A")
