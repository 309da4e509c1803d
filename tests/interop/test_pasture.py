"""Kollegium through fediverse-pasture's actor verifier (tests/interop/pasture/verifier.py).

The verifier fetches a Kollegium actor (found by WebFinger) as each of six actors of its
own and POSTs a Like to the actor's inbox:

    alice, dean      unsigned POST                      -> Kollegium must refuse it
    bob, emily       signed POST                        -> Kollegium must take it
    claire, frank    signed POST; their own actor and key served only to a signed GET,
                     so Kollegium must fetch the key with a signed GET to take it
    dean, emily, frank have no WebFinger account at all

and checks that WebFinger for the actor's preferredUsername gives back the actor's id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.interop.support import (
    HERE,
    Kollegium,
    require_path,
    running,
    wait_for_http,
)
from tests.support.processes import free_port, instance_env

pytestmark = pytest.mark.slow
VERIFIER_HOST = "127.0.0.8"
SIGNED = ("bob", "claire", "emily", "frank")
UNSIGNED = ("alice", "dean")


@pytest.fixture(scope="module")
def verdict(
    tmp_path_factory: pytest.TempPathFactory, kollegium: Kollegium
) -> Iterator[dict[str, Any]]:
    python = HERE / ".venv" / "bin" / "python"
    require_path(python, "run tests/interop/setup.sh (fediverse-pasture's own venv)")
    root = tmp_path_factory.mktemp("interop-pasture")
    port = free_port(VERIFIER_HOST)
    env = instance_env("", "", VERIFIER_HOST=VERIFIER_HOST, VERIFIER_PORT=str(port))
    env.pop("PYTHONPATH", None)
    log = root / "verifier.log"
    base_url = f"http://{VERIFIER_HOST}:{port}"
    command = [str(python), str(HERE / "pasture" / "verifier.py")]
    with running(command, cwd=root, env=env, log=log) as process:
        wait_for_http(f"{base_url}/alice", process, log, 30)
        yield run_verifier(base_url, kollegium)


def run_verifier(base_url: str, instance: Kollegium) -> dict[str, Any]:
    answer = httpx.get(
        base_url,
        params={"actor_uri": f"pia@{instance.domain}"},
        headers={"Accept": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_webfinger_gives_back_the_actor(verdict: dict[str, Any]) -> None:
    assert verdict["result"]["webfinger"] is True, verdict["messages"]


@pytest.mark.parametrize("name", SIGNED + UNSIGNED)
def test_every_verifier_actor_can_fetch_the_kollegium_actor(
    verdict: dict[str, Any], name: str
) -> None:
    assert verdict["result"][name]["get_actor"] is True, verdict["messages"]


@pytest.mark.parametrize("name", SIGNED)
def test_a_signed_post_to_the_inbox_is_taken(verdict: dict[str, Any], name: str) -> None:
    assert verdict["result"][name]["post_inbox"] is True, verdict["messages"]


@pytest.mark.parametrize("name", UNSIGNED)
def test_an_unsigned_post_to_the_inbox_is_refused(verdict: dict[str, Any], name: str) -> None:
    assert verdict["result"][name]["post_inbox"] is False, verdict["messages"]
