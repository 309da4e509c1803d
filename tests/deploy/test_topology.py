"""The production topology, for real: nginx with TLS and HTTP/2 in front of two web
processes and two workers per instance, two instances on PostgreSQL, host names known only
to the test's processes. Scenarios run through nginx over https."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.deploy.topology import (
    NGINX,
    Node,
    https_client,
    in_namespace,
    make_certificates,
    make_node,
    nginx,
    nginx_conf,
    render_site,
    sign_in,
    start_processes,
    stopped_at_exit,
)
from tests.support.databases import postgres_database_sync
from tests.support.processes import KOLLEGIUM

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
A, B = "a.kollegium.test", "b.kollegium.test"
ADDRESSES = {A: "127.0.9.2", B: "127.0.9.3"}


def skip_without_programs() -> None:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (.ci/run installs it: apt-get install nginx)")
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) for a private /etc/hosts per process")


@dataclass
class Topology:
    a: Node
    b: Node
    ca: Path
    home: Path

    def client(self, domain: str) -> httpx.Client:
        return https_client(f"https://{domain}", ADDRESSES, self.ca)


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    skip_without_programs()
    home = tmp_path_factory.mktemp("topology")
    ca, cert, key = make_certificates(home, [A, B])
    hosts = home / "hosts"
    hosts.write_text("127.0.0.1 localhost\n" + "".join(f"{v} {k}\n" for k, v in ADDRESSES.items()))
    with ExitStack() as stack:
        urls = [stack.enter_context(postgres_database_sync()) for _ in (A, B)]
        for suffix in "ab":
            (home / suffix).mkdir()
        with ThreadPoolExecutor(2) as pool:  # the two instances are set up side by side
            nodes = list(pool.map(lambda d, u, s: make_node(u, d, ADDRESSES[d], home / s, ca),
                                  (A, B), urls, "ab"))  # fmt: skip
            stack.enter_context(stopped_at_exit(nodes))
            list(pool.map(lambda n: start_processes(n, hosts, webs=2, workers=2), nodes))
        sites = [render_site(n, s, cert, key) for n, s in zip(nodes, "ab", strict=True)]
        stack.enter_context(nginx(nginx_conf(home, sites)))
        yield Topology(nodes[0], nodes[1], ca, home)


def test_health_tls_http2_static_and_limits_through_nginx(topology: Topology) -> None:
    for domain in (A, B):
        with topology.client(domain) as client:
            health = client.get("/healthz")
            assert health.status_code == 200 and health.json() == {"status": "ok"}
            assert len(health.headers["x-request-id"]) == 32  # nginx's $request_id, passed on
            assert "max-age" in health.headers["strict-transport-security"]
            avatar = client.get("/static/avatar.png")
            assert avatar.status_code == 200 and avatar.headers["content-type"] == "image/png"
            assert "public" in avatar.headers["cache-control"]
            assert client.get("/metrics").status_code == 404  # never through the proxy
        node = topology.a if domain == A else topology.b
        _media_from_disk(topology, node, domain)
        plain_http = httpx.get(f"http://{node.address}:{node.http_port}/api/v1/instance",
                               headers={"Host": domain})  # fmt: skip
        assert plain_http.status_code == 301
        assert plain_http.headers["location"] == f"https://{domain}/api/v1/instance"
        with topology.client(domain) as client:
            too_big = client.post("/api/v1/media", content=b"x" * (40 * 1024 * 1024 + 1))
            assert too_big.status_code == 413
        plain = subprocess.run(
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
             "--http2", "--cacert", str(topology.ca), "--resolve",
             f"{domain}:443:{ADDRESSES[domain]}", f"https://{domain}/healthz"],
            capture_output=True, text=True, timeout=20,
        )  # fmt: skip
        assert plain.stdout == "2 200", plain.stderr


def _media_from_disk(topology: Topology, node: Node, domain: str) -> None:
    """A stored media file is served by nginx itself, cacheable for long."""
    (node.home / "media" / "ab").mkdir(parents=True, exist_ok=True)
    (node.home / "media" / "ab" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    with topology.client(domain) as client:
        photo = client.get("/media/ab/photo.png")
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
        assert photo.headers["cache-control"] == "max-age=2592000, public, immutable"
        assert client.get("/media/ab/missing.png").status_code == 404


def test_client_api__sign_in_post_and_read_over_https_on_every_web_process(
    topology: Topology,
) -> None:
    with topology.client(A) as client:
        anna = sign_in(client, "anna")
        posted = [
            client.post("/api/v1/statuses", headers=anna, json={"status": f"Hej kollegor {n}"})
            for n in range(6)
        ]
        assert all(p.status_code == 200 for p in posted), posted[0].text
        assert posted[0].json()["uri"].startswith(f"https://{A}/users/anna/statuses/")
        timeline = client.get("/api/v1/timelines/home", headers=anna)
        assert [s["id"] for s in timeline.json()][:6] == [p.json()["id"] for p in posted][::-1]
    served = [_requests_served(topology.a.address, port) for port in topology.a.ports]
    assert all(count > 0 for count in served), served  # nginx spread them over both


def test_check__passes_in_production_mode_with_tls_verified(topology: Topology) -> None:
    node = topology.a
    command = in_namespace(topology.home / "hosts", [KOLLEGIUM, "check"])
    done = subprocess.run(command, env=node.env, cwd=node.home, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"ok    https: https://{A}/healthz is healthy, certificate valid" in done.stdout
    assert f"ok    domain: {A} resolves to {ADDRESSES[A]}" in done.stdout


def _requests_served(address: str, port: int) -> float:
    response = httpx.get(f"http://{address}:{port}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    text = response.text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("kollegium_http_requests_total{") and 'route="/api/v1/statuses"' in line
    )


def test_federation__a_follow_across_instances_and_a_post_arriving(topology: Topology) -> None:
    with topology.client(B) as b, topology.client(A) as a:
        bosse = sign_in(b, "bosse")
        # WebFinger and the actor are fetched over https through nginx, TLS checked.
        found = b.get("/api/v2/search", params={"q": f"anna@{A}", "resolve": "true"},
                      headers=bosse)  # fmt: skip
        assert found.status_code == 200 and found.json()["accounts"], found.text
        remote_anna = found.json()["accounts"][0]
        assert remote_anna["acct"] == f"anna@{A}"
        followed = b.post(f"/api/v1/accounts/{remote_anna['id']}/follow", headers=bosse)
        assert followed.status_code == 200, followed.text
        _wait(lambda: _following(b, remote_anna["id"], bosse), "the follow to be accepted")
        anna = sign_in(a, "anna")
        post = a.post("/api/v1/statuses", headers=anna,
                      json={"status": "Till alla kommuner", "local_only": False})  # fmt: skip
        assert post.status_code == 200, post.text
        uri = post.json()["uri"]
        _wait(lambda: uri in _home_uris(b, bosse), "the post to arrive at B")
        time.sleep(1.0)  # a second delivery would show up by now
        assert _home_uris(b, bosse).count(uri) == 1


def _following(client: httpx.Client, account_id: str, headers: dict[str, str]) -> bool:
    found = client.get("/api/v1/accounts/relationships", params={"id[]": account_id},
                       headers=headers)  # fmt: skip
    return bool(found.json() and found.json()[0]["following"])


def _home_uris(client: httpx.Client, headers: dict[str, str]) -> list[str]:
    return [s["uri"] for s in client.get("/api/v1/timelines/home", headers=headers).json()]


def _wait(condition: object, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
