"""Two `kollegium serve` processes of one instance on one PostgreSQL, as behind a proxy: a
status posted through one reaches a stream held open on the other, over PostgreSQL's
LISTEN/NOTIFY and over Redis (when KOLLEGIUM_TEST_REDIS_URL names one)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.clients.conftest import PASSWORD
from tests.support.databases import postgres_database_sync
from tests.support.processes import (
    free_port,
    instance_env,
    kollegium_all,
    password_tokens,
    serving,
)

pytestmark = pytest.mark.postgres
MEMBERS = ("anna", "bosse")


@pytest.fixture(scope="module", params=["notify", "redis"])
def two_processes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    redis_url = os.environ.get("KOLLEGIUM_TEST_REDIS_URL")
    if request.param == "redis" and not redis_url:
        pytest.skip("KOLLEGIUM_TEST_REDIS_URL is not set; the Redis bus is not tested")
    cwd: Path = tmp_path_factory.mktemp(f"two-processes-{request.param}")
    with postgres_database_sync() as url:
        port = free_port("127.0.0.1")
        env = instance_env(url, f"127.0.0.1:{port}")
        users = [
            ["user", "create", m, "--email", f"{m}@kommun-a.se", "--password", PASSWORD]
            for m in MEMBERS
        ]
        done = kollegium_all([["init"], *users], env=env, cwd=cwd)
        assert done.returncode == 0, done.stderr
        if request.param == "redis":
            env["KOLLEGIUM_REDIS_URL"] = str(redis_url)
        with serving(env, cwd, port=port) as first, serving(env, cwd) as second:
            yield first, second


def token(base_url: str, login: str) -> str:
    return password_tokens(base_url, [login], PASSWORD, scopes="read write")[login]


def test_a_post_on_one_process_reaches_a_stream_on_the_other(
    two_processes: tuple[str, str],
) -> None:
    first, second = two_processes
    anna, bosse = token(first, "anna"), token(second, "bosse")
    with httpx.stream(
        "GET",
        f"{second}/api/v1/streaming/public/local",
        headers={"Authorization": f"Bearer {bosse}"},
        timeout=10,
    ) as stream:
        lines = stream.iter_lines()
        assert next(lines) == ":)"
        started = time.monotonic()
        posted = httpx.post(
            f"{first}/api/v1/statuses",
            headers={"Authorization": f"Bearer {anna}"},
            json={"status": "Från den första processen"},
        ).json()
        event = ""
        for line in lines:
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "update":
                assert orjson.loads(line.removeprefix("data: "))["id"] == posted["id"]
                break
        assert time.monotonic() - started < 2.0
