"""`kollegium serve` as a real process: health, errors in Mastodon's shape, body cap, logs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.support.databases import postgres_database_sync
from tests.support.processes import instance_env, kollegium, serving


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("serve")
    env = instance_env(
        f"sqlite:///{home}/kollegium.db",
        "kommun-a.test",
        KOLLEGIUM_MAX_REQUEST_BYTES="2048",
        KOLLEGIUM_LOG_LEVEL="info",
    )
    assert kollegium("init", env=env, cwd=home).returncode == 0
    with serving(env, home) as base_url:
        yield base_url, home


def test_healthz_answers_200(server: tuple[str, Path]) -> None:
    response = httpx.get(f"{server[0]}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/no/such/page", 404, "Not Found"),
        ("DELETE", "/healthz", 405, "Method Not Allowed"),
    ],
)
def test_errors_answer_in_mastodon_shape(
    server: tuple[str, Path], method: str, path: str, status: int, message: str
) -> None:
    response = httpx.request(method, f"{server[0]}{path}")
    assert response.status_code == status
    assert response.json() == {"error": message}


def test_a_body_over_the_cap_is_refused_with_413(server: tuple[str, Path]) -> None:
    response = httpx.post(f"{server[0]}/healthz", content=b"x" * 4096)
    assert response.status_code == 413
    assert response.json() == {"error": "Request body is larger than 2048 bytes"}


def test_every_response_carries_a_request_id_and_keeps_the_proxys(server: tuple[str, Path]) -> None:
    made = httpx.get(f"{server[0]}/healthz").headers["x-request-id"]
    kept = httpx.get(f"{server[0]}/healthz", headers={"X-Request-Id": "proxy-42"})
    assert len(made) == 16
    assert kept.headers["x-request-id"] == "proxy-42"


def test_logs_are_one_json_object_a_line(server: tuple[str, Path]) -> None:
    [log] = server[1].glob("serve-*.log")
    lines = [line for line in log.read_bytes().splitlines() if line.strip()]
    assert lines
    entries = [orjson.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    assert any(entry["message"] == "Application startup complete." for entry in entries)


def test_serve_refuses_to_start_on_an_uninitialised_database(tmp_path: Path) -> None:
    env = instance_env(f"sqlite:///{tmp_path}/missing.db", "kommun-a.test")
    result = kollegium("serve", "--port", "1", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"kollegium: error: there is no database at {tmp_path}/missing.db: run `kollegium init`"
    )
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.postgres
def test_serve_on_postgresql_answers_200(tmp_path: Path) -> None:
    with postgres_database_sync() as url:
        env = instance_env(url, "kommun-b.test")
        assert kollegium("init", env=env, cwd=tmp_path).returncode == 0
        with serving(env, tmp_path, "127.0.0.2") as base_url:
            assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok"}
