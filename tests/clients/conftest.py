"""A real `kollegium serve` process per test module, whose domain is its own host:port.

``tests.support.processes.serving`` picks its port itself, so the instance's
``KOLLEGIUM_DOMAIN`` could not name it; links and ids must, for clients that follow them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.databases import postgres_database_sync
from tests.support.processes import KOLLEGIUM, free_port, instance_env, kollegium, wait_healthy

PASSWORD = "lösenord-123"
MEMBERS = ("anna", "bosse", "cilla")


@dataclass(frozen=True)
class Server:
    base_url: str
    env: dict[str, str]
    cwd: Path


@contextmanager
def running_server(database_url: str, cwd: Path, host: str = "127.0.0.1") -> Iterator[Server]:
    port = free_port(host)
    env = instance_env(database_url, f"{host}:{port}", KOLLEGIUM_MEDIA_DIR=str(cwd / "media"))
    for args in (
        ["init"],
        *(
            ["user", "create", m, "--email", f"{m}@kommun-a.se", "--password", PASSWORD]
            for m in MEMBERS
        ),
    ):
        done = kollegium(*args, env=env, cwd=cwd)
        assert done.returncode == 0, done.stderr
    log = (cwd / "serve.log").open("wb")
    process = subprocess.Popen(
        [KOLLEGIUM, "serve", "--host", host, "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://{host}:{port}"
    try:
        wait_healthy(base_url, process, 20)
        yield Server(base_url, env, cwd)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server per module and database kind: SQLite, and PostgreSQL where reachable."""
    cwd = tmp_path_factory.mktemp(f"server-{request.param}")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{cwd / 'kollegium.db'}"
        else:
            url = stack.enter_context(postgres_database_sync())
        yield stack.enter_context(running_server(url, cwd))


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    cwd = tmp_path_factory.mktemp("server-sqlite")
    with running_server(f"sqlite:///{cwd / 'kollegium.db'}", cwd) as server:
        yield server
