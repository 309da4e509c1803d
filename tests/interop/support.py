"""A Kollegium instance and independent peers as real processes on 127.0.0.x, for interop tests.

Kollegium runs with ``KOLLEGIUM_DEV_INSECURE=1`` (plain http on loopback); the peers verify
every signature they receive, and Kollegium verifies theirs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import (
    KOLLEGIUM,
    free_port,
    instance_env,
    kollegium_all,
    loopback,
    wait_healthy,
)
from tests.support.processes import eventually as support_eventually

HERE = Path(__file__).resolve().parent
PASSWORD = "lösenord-123"
WAIT_SECONDS = 20.0


def eventually(check: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """``processes.eventually`` with the peers' shorter wait and quicker polling."""
    return support_eventually(check, what, timeout, interval=0.1)


class Steps:
    """Scenario steps that several tests rely on (a follow, say), each run once per world.

    Every test asks for the steps it needs, so that any test passes alone or in any order,
    also when pytest-xdist splits a module across workers (each with a world of its own).
    """

    def __init__(self) -> None:
        self._results: dict[str, Any] = {}

    def once(self, name: str, step: Callable[[], Any]) -> Any:
        if name not in self._results:
            self._results[name] = step()
        return self._results[name]


def require_tool(name: str) -> str:
    """The path of ``name``; skips on a bare machine, fails under CI (setup.sh installs it)."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing although CI=true: tests/interop/setup.sh installs it")
        pytest.skip(f"{name} is not installed (tests/interop/setup.sh installs the peers)")
    return found


def require_path(path: Path, hint: str) -> None:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing although CI=true: {hint}")
        pytest.skip(f"{path} is missing: {hint}")


@dataclass
class Kollegium:
    """One running Kollegium instance and a signed-in API client per member."""

    host: str
    port: int
    cwd: Path
    env: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.domain}"

    def actor(self, member: str) -> str:
        return f"{self.base_url}/users/{member}"

    def api(self, member: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"}
        response = loopback().request(
            method, self.base_url + path, headers=headers, timeout=10, **kwargs
        )
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json()

    def status_code(self, member: str, path: str) -> int:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"}
        return loopback().get(self.base_url + path, headers=headers, timeout=10).status_code

    def resolve(self, member: str, acct_or_uri: str) -> dict[str, Any]:
        """The account a search with ``resolve=true`` finds, as a Mastodon client does it."""
        found = self.api(
            member,
            "GET",
            "/api/v2/search",
            params={"q": acct_or_uri, "resolve": "true", "type": "accounts"},
        )
        assert found["accounts"], f"{acct_or_uri} not resolved: {found}"
        return dict(found["accounts"][0])

    def post(self, member: str, text: str, **extra: Any) -> dict[str, Any]:
        data = {"status": text, "visibility": "public", "local_only": "false", **extra}
        return dict(self.api(member, "POST", "/api/v1/statuses", data=data))

    def home_status(self, member: str, uri: str) -> dict[str, Any] | None:
        for status in self.api(member, "GET", "/api/v1/timelines/home"):
            if status["uri"] == uri:
                return dict(status)
        return None

    def notifications(self, member: str, kind: str) -> list[dict[str, Any]]:
        found = self.api(member, "GET", "/api/v1/notifications")
        return [n for n in found if n["type"] == kind]

    def relationship(self, member: str, account_id: str) -> dict[str, Any]:
        found = self.api(
            member, "GET", "/api/v1/accounts/relationships", params={"id[]": account_id}
        )
        return dict(found[0])

    def sign_in(self, members: Sequence[str]) -> None:
        app = httpx.post(
            f"{self.base_url}/api/v1/apps",
            data={
                "client_name": "interop",
                "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                "scopes": "read write follow",
            },
        ).json()
        for member in members:
            token = httpx.post(
                f"{self.base_url}/oauth/token",
                data={
                    "grant_type": "password",
                    "client_id": app["client_id"],
                    "client_secret": app["client_secret"],
                    "username": member,
                    "password": PASSWORD,
                    "scope": "read write follow",
                },
            )
            assert token.status_code == 200, token.text
            self.tokens[member] = token.json()["access_token"]


@contextmanager
def running(
    command: Sequence[str], *, cwd: Path, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A process for the duration of the block, its output in ``log``; ended on the way out."""
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def kollegium_instance(root: Path, host: str, members: Sequence[str]) -> Iterator[Kollegium]:
    """A fresh Kollegium on ``host`` in open (blocklist) federation, ``members`` signed in."""
    port = free_port(host)
    cwd = root / f"kollegium-{host}"
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
    command = [KOLLEGIUM, "serve", "--host", host, "--port", str(port)]
    with running(command, cwd=cwd, env=env, log=cwd / "serve.log") as process:
        instance = Kollegium(host, port, cwd, env)
        wait_healthy(instance.base_url, process, 20)
        instance.sign_in(members)
        yield instance


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Poll ``url`` until it answers below 500; fail with the process log if it dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"peer exited with {process.returncode}:\n{log.read_text()}")
        try:
            if loopback().get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not up after {timeout} s:\n{log.read_text()}")
