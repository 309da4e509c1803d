"""Real `kollegium serve` processes, one per test module, whose domain is their host:port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.databases import postgres_database_sync
from tests.support.processes import free_port, instance_env, kollegium_all, serving

PASSWORD = "lösenord-123"
MEMBERS = ("anna", "bosse", "cilla")


@dataclass(frozen=True)
class Server:
    base_url: str
    env: dict[str, str]
    cwd: Path


def prepare_instance(
    database_url: str, cwd: Path, host: str, port: int, *, allow: tuple[str, ...] = ()
) -> dict[str, str]:
    """Initialise an instance with three members (and federation allowed with ``allow``)."""
    env = instance_env(database_url, f"{host}:{port}", KOLLEGIUM_MEDIA_DIR=str(cwd / "media"))
    commands: list[list[str]] = [["init"]]
    commands += [
        ["user", "create", m, "--email", f"{m}@kommun-a.se", "--password", PASSWORD]
        for m in MEMBERS
    ]
    commands += [["federation", "allow", domain] for domain in allow]
    done = kollegium_all(commands, env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return env


@contextmanager
def running_server(database_url: str, cwd: Path, host: str = "127.0.0.1") -> Iterator[Server]:
    port = free_port(host)
    env = prepare_instance(database_url, cwd, host, port)
    with serving(env, cwd, host, port=port) as base_url:
        yield Server(base_url, env, cwd)


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
