"""The streaming API against a real server on PostgreSQL: SSE and WebSocket, fed across
processes by the event bus (this test process publishes through PostgreSQL NOTIFY, as
another server or worker process would)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import orjson
import pytest
import websockets

from fediverse.events import Event, PostgresEventBus
from tests.support.databases import postgres_database_sync
from tests.support.processes import free_port, instance_env, kollegium, serving

pytestmark = pytest.mark.postgres
PASSWORD = "hemligt-lösen-1"


@dataclass(frozen=True)
class Server:
    base_url: str
    database_url: str
    anna: str  # tokens
    bo: str
    write_only: str


def token(base_url: str, login: str, scope: str) -> str:
    app = httpx.post(
        f"{base_url}/api/v1/apps",
        json={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scope},
    ).json()
    answer = httpx.post(
        f"{base_url}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": login,
            "password": PASSWORD,
            "scope": scope,
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("streaming")
    with postgres_database_sync() as url:
        port = free_port("127.0.0.1")
        env = instance_env(url, f"127.0.0.1:{port}")
        assert kollegium("init", env=env, cwd=home).returncode == 0
        for name in ("anna", "bo"):
            made = kollegium(
                "user",
                "create",
                name,
                "--email",
                f"{name}@kommun-a.se",
                "--password",
                PASSWORD,
                env=env,
                cwd=home,
            )
            assert made.returncode == 0, made.stderr
        with serving(env, home, "127.0.0.1", port=port) as base_url:
            yield Server(
                base_url,
                url,
                token(base_url, "anna", "read write"),
                token(base_url, "bo", "read write"),
                token(base_url, "anna", "write"),
            )


def post(server: Server, text: str, visibility: str = "public") -> str:
    answer = httpx.post(
        f"{server.base_url}/api/v1/statuses",
        headers={"Authorization": f"Bearer {server.bo}"},
        json={"status": text, "visibility": visibility},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


@contextlib.asynccontextmanager
async def publisher(server: Server) -> AsyncIterator[PostgresEventBus]:
    bus = PostgresEventBus(server.database_url)
    await bus.start()
    try:
        yield bus
    finally:
        await bus.stop()


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    name = ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield name, line.removeprefix("data: ")


async def first_event(events: AsyncIterator[tuple[str, str]], wanted: str) -> tuple[str, str]:
    async for name, data in events:
        if name == wanted:
            return name, data
    raise AssertionError("the stream ended")


def test_health_answers_ok(server: Server) -> None:
    answer = httpx.get(f"{server.base_url}/api/v1/streaming/health")
    assert (answer.status_code, answer.text) == (200, "OK")


@pytest.mark.parametrize(
    ("path", "token_name", "status", "message"),
    [
        ("/api/v1/streaming/public", None, 401, "Missing access token"),
        ("/api/v1/streaming/public", "write_only", 403, "required scopes"),
        ("/api/v1/streaming?stream=everything", "anna", 400, "Unknown stream type"),
        ("/api/v1/streaming/hashtag", "anna", 422, "Missing tag name"),
    ],
)
def test_bad_stream_requests_get_a_clear_error(
    server: Server, path: str, token_name: str | None, status: int, message: str
) -> None:
    headers = {"Authorization": f"Bearer {getattr(server, token_name)}"} if token_name else {}
    answer = httpx.get(f"{server.base_url}{path}", headers=headers)
    assert answer.status_code == status
    assert message in answer.json()["error"]


async def test_the_public_stream_sends_what_the_viewer_may_see_and_deletions(
    server: Server,
) -> None:
    hidden = post(server, "bara för följare", visibility="private")
    shown = post(server, "Hej kollegor i hela kommunen!")
    headers = {"Authorization": f"Bearer {server.anna}"}
    async with (
        httpx.AsyncClient(timeout=10) as http,
        http.stream(
            "GET", f"{server.base_url}/api/v1/streaming/public", headers=headers
        ) as response,
        publisher(server) as bus,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
        await asyncio.sleep(0.2)  # the server subscribes when the response starts
        await bus.publish(Event("timeline:public", "update", {"status_id": hidden}))
        await bus.publish(Event("timeline:public", "update", {"status_id": shown}))
        _, data = await asyncio.wait_for(first_event(events, "update"), 10)
        status = orjson.loads(data)
        assert status["id"] == shown, "a followers-only status never reaches the public stream"
        assert "Hej kollegor" in status["content"]
        assert status["account"]["username"] == "bo"
        await bus.publish(Event("timeline:public", "delete", {"status_id": shown}))
        assert await asyncio.wait_for(first_event(events, "delete"), 10) == ("delete", shown)


async def test_a_websocket_with_the_token_as_subprotocol_subscribes_to_streams(
    server: Server,
) -> None:
    shown = post(server, "Om #Skola och lärande")
    url = server.base_url.replace("http://", "ws://") + "/api/v1/streaming"
    async with (
        websockets.connect(url, subprotocols=[server.anna]) as socket,  # type: ignore[list-item]
        publisher(server) as bus,
    ):
        assert socket.subprotocol == server.anna, "the subprotocol is echoed, as browsers need"
        await socket.send(orjson.dumps({"type": "subscribe", "stream": "hashtag", "tag": "skola"}))
        await socket.send("not json")
        assert orjson.loads(await asyncio.wait_for(socket.recv(), 5))["status"] == 400
        await bus.publish(Event("hashtag:skola", "update", {"status_id": shown}))
        message = orjson.loads(await asyncio.wait_for(socket.recv(), 10))
        assert message["stream"] == ["hashtag", "skola"]
        assert message["event"] == "update"
        assert orjson.loads(message["payload"])["id"] == shown


async def test_a_websocket_without_a_valid_token_is_refused(server: Server) -> None:
    url = server.base_url.replace("http://", "ws://") + "/api/v1/streaming?access_token=nope"
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with websockets.connect(url):
            pass


async def test_a_stream_ends_with_a_reconnect_hint_when_the_process_stops() -> None:
    from web.streaming.sse import RECONNECT, _until_stopping

    closed: list[bool] = []

    async def forever() -> AsyncGenerator[str]:
        try:
            yield ":)\n\n"
            await asyncio.sleep(3600)
            yield "never"
        finally:
            closed.append(True)

    stop = asyncio.Event()
    stream = _until_stopping(forever(), stop)
    assert await anext(stream) == ":)\n\n"
    stop.set()
    assert await asyncio.wait_for(anext(stream), 5) == RECONNECT
    with pytest.raises(StopAsyncIteration):
        await anext(stream)
    assert closed == [True], "the event source is closed, and its subscription with it"


def test_sigterm_ends_open_streams_with_a_reconnect_hint_and_the_server_exits(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import signal
    import subprocess
    import time

    from tests.support.processes import KOLLEGIUM, wait_healthy

    home = tmp_path_factory.mktemp("sigterm")
    port = free_port("127.0.0.1")
    env = instance_env(f"sqlite:///{home}/k.db", f"127.0.0.1:{port}")
    assert kollegium("init", env=env, cwd=home).returncode == 0
    made = kollegium(
        "user",
        "create",
        "anna",
        "--email",
        "anna@kommun-a.se",
        "--password",
        PASSWORD,
        env=env,
        cwd=home,
    )
    assert made.returncode == 0
    process = subprocess.Popen([KOLLEGIUM, "serve", "--port", str(port)], env=env, cwd=home)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url, process, 20)
        bearer = token(base_url, "anna", "read")
        with httpx.stream(
            "GET",
            f"{base_url}/api/v1/streaming/public",
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=10,
        ) as response:
            lines = response.iter_lines()
            assert next(lines) == ":)"
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            rest = list(lines)
        assert "retry: 1000" in rest, "the client is told to reconnect"
        assert time.monotonic() - started < 5, "the stream ends at once, not at the timeout"
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
