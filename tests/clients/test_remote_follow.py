"""Mastodon.py follows an account on a second instance: search resolves it, Accept arrives,
and the remote account's posts reach the home timeline (federation does the delivery)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from mastodon import Mastodon

from tests.clients.conftest import PASSWORD, prepare_instance
from tests.support.processes import free_port, serving_together

pytestmark = pytest.mark.slow


def sign_in(base_url: str, login: str) -> Mastodon:
    client_id, secret = Mastodon.create_app("remote-test", api_base_url=base_url)
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=base_url)
    api.log_in(login, PASSWORD, scopes=["read", "write", "follow"], allow_http=True)
    return api


def eventually(check: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.25)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    a_host, b_host = "127.0.0.2", "127.0.0.3"
    a_port, b_port = free_port(a_host), free_port(b_host)
    a_domain, b_domain = f"{a_host}:{a_port}", f"{b_host}:{b_port}"
    a_dir, b_dir = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    with ThreadPoolExecutor(max_workers=2) as pool:  # each is a handful of CLI runs
        a_env = pool.submit(prepare_instance, _db(a_dir), a_dir, a_host, a_port, allow=(b_domain,))
        b_env = pool.submit(prepare_instance, _db(b_dir), b_dir, b_host, b_port, allow=(a_domain,))
    servers = (a_env.result(), a_dir, a_host, a_port), (b_env.result(), b_dir, b_host, b_port)
    with serving_together(*servers) as (a, b):
        yield a, b


def _db(directory: Path) -> str:
    return f"sqlite:///{directory / 'kollegium.db'}"


def test_follow_of_a_remote_account_on_a_second_instance(two_instances: tuple[str, str]) -> None:
    a_url, b_url = two_instances
    anna, berit = sign_in(a_url, "anna"), sign_in(b_url, "bosse")
    b_domain = b_url.removeprefix("http://")
    found = anna.search_v2(f"bosse@{b_domain}", resolve=True, result_type="accounts")
    assert [a.acct for a in found.accounts] == [f"bosse@{b_domain}"]
    remote = found.accounts[0]
    assert anna.account_follow(remote.id).requested is True
    eventually(lambda: anna.account_relationships(remote.id)[0].following)
    assert [a.acct for a in berit.account_followers(berit.me().id)] == [
        f"anna@{a_url.removeprefix('http://')}"
    ]
    # Mastodon.py has no local_only parameter: this one field goes over plain HTTP.
    posted = httpx.post(
        f"{b_url}/api/v1/statuses",
        data={"status": "Hej från grannkommunen", "local_only": "false"},
        headers={"Authorization": f"Bearer {berit.access_token}"},
    ).json()
    eventually(lambda: any(s.uri == posted["uri"] for s in anna.timeline_home()))
    internal = berit.status_post("Bara för oss i kommunen")
    assert internal.local_only is True
    time.sleep(2)
    assert all(s.uri != internal.uri for s in anna.timeline_home())
