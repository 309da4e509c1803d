"""Three Kollegium instances as real processes on 127.0.0.1, .2 and .3, federating.

Everything is done and seen through each instance's own Mastodon API, remote accounts
found as clients find them: ``GET /api/v2/search?resolve=true``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import (
    KOLLEGIUM,
    eventually,
    free_port,
    instance_env,
    kollegium_all,
    loopback,
    password_tokens,
    wait_healthy,
)

pytestmark = pytest.mark.slow
PASSWORD = "lösenord-123"
WAIT_SECONDS = 25.0


@dataclass
class Instance:
    """One running instance: its process, and a signed-in API client per member."""

    host: str
    port: int
    cwd: Path
    env: dict[str, str]
    members: tuple[str, ...]
    tokens: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log: Any = None

    @property
    def domain(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.domain}"

    def start(self) -> None:
        self.launch()
        self.wait_started()

    def launch(self) -> None:
        self.log = (self.cwd / "serve.log").open("ab")
        self.process = subprocess.Popen(
            [KOLLEGIUM, "serve", "--host", self.host, "--port", str(self.port)],
            env=self.env,
            cwd=self.cwd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_started(self) -> None:
        assert self.process is not None
        wait_healthy(self.base_url, self.process, 20)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.log.close()

    def api(self, member: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"}
        response = loopback().request(
            method, self.base_url + path, headers=headers, timeout=10, **kwargs
        )
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json()

    def sign_in(self) -> None:
        self.tokens.update(password_tokens(self.base_url, self.members, PASSWORD))


def make_instance(root: Path, host: str, members: tuple[str, ...]) -> Instance:
    port = free_port(host)
    cwd = root / host
    cwd.mkdir()
    env = instance_env(
        f"sqlite:///{cwd / 'kollegium.db'}",
        f"{host}:{port}",
        KOLLEGIUM_MEDIA_DIR=str(cwd / "media"),
        KOLLEGIUM_FEDERATION_MODE="blocklist",
    )
    users = [
        ("user", "create", m, "--email", f"{m}@example.com", "--password", PASSWORD)
        for m in members
    ]
    done = kollegium_all([("init",), *users], env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return Instance(host, port, cwd, env, members)


def start_all(stack: ExitStack, *instances: Instance) -> None:
    """Start the instances side by side (each start is seconds of imports on a busy machine),
    each stopped when ``stack`` closes."""
    for instance in instances:
        instance.launch()
        stack.callback(instance.stop)
    for instance in instances:
        instance.wait_started()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Instance]]:
    root = tmp_path_factory.mktemp("e2e")
    members = {"127.0.0.1": ("anna",), "127.0.0.2": ("bosse", "berit"), "127.0.0.3": ("cilla",)}
    with ThreadPoolExecutor(max_workers=3) as pool:  # each is a handful of CLI runs
        a, b, c = pool.map(lambda host: make_instance(root, host, members[host]), members)
    with ExitStack() as stack:
        start_all(stack, a, b, c)
        for instance in (a, b, c):
            instance.sign_in()
        yield {"a": a, "b": b, "c": c}


def resolve_on(instance: Instance, acct: str) -> str:
    """The id of a remote account as the instance's first member finds it, the way Mastodon
    clients do: a search with ``resolve=true`` (WebFinger, then a signed actor fetch)."""
    found = instance.api(
        instance.members[0],
        "GET",
        "/api/v2/search",
        params={"q": acct, "resolve": "true", "type": "accounts"},
    )
    assert found["accounts"], f"{acct} not found from {instance.domain}"
    return str(found["accounts"][0]["id"])


def relationship(instance: Instance, member: str, account_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = instance.api(
        member, "GET", "/api/v1/accounts/relationships", params={"id[]": account_id}
    )
    return found[0]


def home_uris(instance: Instance, member: str) -> list[str]:
    return [s["uri"] for s in instance.api(member, "GET", "/api/v1/timelines/home")]


def home_status(instance: Instance, member: str, uri: str) -> dict[str, Any] | None:
    for status in instance.api(member, "GET", "/api/v1/timelines/home"):
        if status["uri"] == uri:
            return dict(status)
    return None


def notifications(instance: Instance, member: str, kind: str) -> list[dict[str, Any]]:
    found = instance.api(member, "GET", "/api/v1/notifications")
    return [n for n in found if n["type"] == kind]


def post(instance: Instance, member: str, text: str, **extra: Any) -> dict[str, Any]:
    data = {"status": text, "visibility": "public", "local_only": "false", **extra}
    return dict(instance.api(member, "POST", "/api/v1/statuses", data=data))


def test_follow_and_accept(world: dict[str, Instance]) -> None:
    a, b = world["a"], world["b"]
    bosse = resolve_on(a, f"bosse@{b.domain}")
    a.api("anna", "POST", f"/api/v1/accounts/{bosse}/follow")
    eventually(lambda: relationship(a, "anna", bosse)["following"], "anna follows bosse")
    anna_on_b = resolve_on(b, f"anna@{a.domain}")
    me = b.api("bosse", "GET", "/api/v1/accounts/verify_credentials")["id"]
    followers = b.api("bosse", "GET", f"/api/v1/accounts/{me}/followers")
    assert anna_on_b in [f["id"] for f in followers]


def test_follow_request_on_a_locked_account(world: dict[str, Instance]) -> None:
    a, b = world["a"], world["b"]
    b.api("berit", "PATCH", "/api/v1/accounts/update_credentials", data={"locked": "true"})
    berit = resolve_on(a, f"berit@{b.domain}")
    a.api("anna", "POST", f"/api/v1/accounts/{berit}/follow")
    eventually(lambda: relationship(a, "anna", berit)["requested"], "anna's request is pending")
    pending = eventually(lambda: b.api("berit", "GET", "/api/v1/follow_requests"), "berit sees it")
    b.api("berit", "POST", f"/api/v1/follow_requests/{pending[0]['id']}/authorize")
    eventually(lambda: relationship(a, "anna", berit)["following"], "anna follows berit")


def test_post_reply_favourite_boost_edit_delete(world: dict[str, Instance]) -> None:
    a, b, c = world["a"], world["b"], world["c"]
    anna_on_b = resolve_on(b, f"anna@{a.domain}")
    anna_on_c = resolve_on(c, f"anna@{a.domain}")
    b.api("bosse", "POST", f"/api/v1/accounts/{anna_on_b}/follow")
    c.api("cilla", "POST", f"/api/v1/accounts/{anna_on_c}/follow")
    eventually(lambda: relationship(b, "bosse", anna_on_b)["following"], "bosse follows anna")
    eventually(lambda: relationship(c, "cilla", anna_on_c)["following"], "cilla follows anna")

    original = post(a, "anna", "Hej från kommun A")
    seen = eventually(lambda: home_status(b, "bosse", original["uri"]), "the post on B")
    eventually(lambda: home_status(c, "cilla", original["uri"]), "the post on C")

    b.api(
        "bosse",
        "POST",
        "/api/v1/statuses",
        data={
            "status": f"@anna@{a.domain} Hej själv",
            "in_reply_to_id": seen["id"],
            "visibility": "public",
            "local_only": "false",
        },
    )
    eventually(lambda: notifications(a, "anna", "mention"), "the reply mentions anna on A")

    b.api("bosse", "POST", f"/api/v1/statuses/{seen['id']}/favourite")
    eventually(lambda: notifications(a, "anna", "favourite"), "the favourite on A")
    b.api("bosse", "POST", f"/api/v1/statuses/{seen['id']}/reblog")
    eventually(lambda: notifications(a, "anna", "reblog"), "the boost on A")

    a.api("anna", "PUT", f"/api/v1/statuses/{original['id']}", data={"status": "Hej, redigerat"})
    eventually(
        lambda: "redigerat" in (home_status(b, "bosse", original["uri"]) or {}).get("content", ""),
        "the edit on B",
    )

    a.api("anna", "DELETE", f"/api/v1/statuses/{original['id']}")
    eventually(
        lambda: (
            loopback()
            .get(
                f"{b.base_url}/api/v1/statuses/{seen['id']}",
                headers={"Authorization": f"Bearer {b.tokens['bosse']}"},
            )
            .status_code
            == 404
        ),
        "the delete on B",
    )


def test_mention_in_a_direct_post(world: dict[str, Instance]) -> None:
    a, c = world["a"], world["c"]
    resolve_on(a, f"cilla@{c.domain}")
    post(a, "anna", f"@cilla@{c.domain} bara till dig", visibility="direct")
    eventually(lambda: notifications(c, "cilla", "mention"), "the mention on C")


def test_an_instance_that_was_down_gets_everything_once(world: dict[str, Instance]) -> None:
    a, c = world["a"], world["c"]
    c.stop()
    sent = [post(a, "anna", f"Medan C sov, nummer {n}")["uri"] for n in range(3)]
    time.sleep(1.0)
    c.start()
    for uri in sent:
        eventually(lambda uri=uri: uri in home_uris(c, "cilla"), f"{uri} on C", timeout=40)
    uris = home_uris(c, "cilla")
    assert all(uris.count(uri) == 1 for uri in sent)


def test_unfollow_and_block(world: dict[str, Instance]) -> None:
    a, b, c = world["a"], world["b"], world["c"]
    anna_on_b = resolve_on(b, f"anna@{a.domain}")
    b.api("bosse", "POST", f"/api/v1/accounts/{anna_on_b}/unfollow")
    bosse_on_a = resolve_on(a, f"bosse@{b.domain}")
    eventually(lambda: not relationship(a, "anna", bosse_on_a)["followed_by"], "bosse unfollowed")

    cilla_on_a = resolve_on(a, f"cilla@{c.domain}")
    anna_on_c = resolve_on(c, f"anna@{a.domain}")
    a.api("anna", "POST", f"/api/v1/accounts/{cilla_on_a}/block")
    eventually(
        lambda: not relationship(c, "cilla", anna_on_c)["following"], "the block ends C's follow"
    )
