"""Live streams through real clients against a real `kollegium serve`: Mastodon.py over
server-sent events, masto.js (Elk's and Phanpy's library) over the WebSocket. On SQLite
(the in-process event bus); PostgreSQL's bus is what test_streaming_two_processes tests."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mastodon import Mastodon, StreamListener

from tests.clients.conftest import PASSWORD, Server

SCOPES = ["read", "write", "follow", "push"]
HERE = Path(__file__).parent
WAIT = 10.0


class Collector(StreamListener):  # type: ignore[misc]
    """Every event of one stream, as (name, entity or id), for the test to wait on."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.seen: list[tuple[str, Any]] = []

    def on_update(self, status: Any) -> None:
        self.events.put(("update", status))

    def on_status_update(self, status: Any) -> None:
        self.events.put(("status.update", status))

    def on_delete(self, status_id: Any) -> None:
        self.events.put(("delete", str(status_id)))

    def on_notification(self, notification: Any) -> None:
        self.events.put(("notification", notification))

    def wait_for(self, name: str, check: Any = lambda _x: True) -> Any:
        """The first event ``name`` that passes ``check``, among those seen and to come."""
        deadline = time.monotonic() + WAIT
        while True:
            for kind, value in self.seen:
                if kind == name and check(value):
                    return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name} event within {WAIT} s; had {self.seen}")
            try:
                self.seen.append(self.events.get(timeout=left))
            except queue.Empty:
                continue


def close(*handles: Any) -> None:
    """Close streams without waiting: closing blocks until the reader thread's next byte,
    which may be the next heartbeat, 15 s away."""
    for handle in handles:
        threading.Thread(target=handle.close, daemon=True).start()


def signed_in(server: Server, login: str) -> Mastodon:
    client_id, secret = Mastodon.create_app(
        "Kollegium-stream-test", api_base_url=server.base_url, scopes=SCOPES
    )
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=server.base_url)
    api.log_in(login, PASSWORD, scopes=SCOPES, allow_http=True)
    return api


@pytest.fixture(scope="module")
def pair(sqlite_server: Server) -> tuple[Mastodon, Mastodon]:
    """Anna follows Bosse, so his posts belong on her home stream."""
    anna, bosse = signed_in(sqlite_server, "anna"), signed_in(sqlite_server, "bosse")
    anna.account_follow(bosse.me().id)
    return anna, bosse


def test_mastodon_py_streams_receive_a_post_its_notification_edit_and_deletion(
    pair: tuple[Mastodon, Mastodon],
) -> None:
    anna, bosse = pair
    listeners = {"user": Collector(), "public": Collector(), "hashtag": Collector()}
    handles = [
        anna.stream_user(listeners["user"], run_async=True),
        anna.stream_public(listeners["public"], run_async=True),
        anna.stream_hashtag("förskola", listeners["hashtag"], run_async=True),
    ]
    try:
        posted = bosse.status_post("Hej @anna, läs om #Förskola i dag!")
        for name, listener in listeners.items():
            status = listener.wait_for("update", lambda s: s.id == posted.id)
            assert status.account.acct == "bosse", name
            assert "Förskola" in status.content
        notification = listeners["user"].wait_for("notification")
        assert notification.type == "mention"
        assert notification.status.id == posted.id
        bosse.status_update(posted.id, "Hej @anna, läs om #Förskola i morgon!")
        for listener in listeners.values():
            edited = listener.wait_for("status.update", lambda s: s.id == posted.id)
            assert "i morgon" in edited.content
        bosse.status_delete(posted.id)
        for listener in listeners.values():
            listener.wait_for("delete", lambda i: i == str(posted.id))
    finally:
        close(*handles)


def test_mastodon_py_user_stream_hears_of_a_new_follower(
    pair: tuple[Mastodon, Mastodon], sqlite_server: Server
) -> None:
    anna, _bosse = pair
    listener = Collector()
    handle = anna.stream_user(listener, run_async=True)
    try:
        cilla = signed_in(sqlite_server, "cilla")
        cilla.account_follow(anna.me().id)
        notification = listener.wait_for("notification")
        assert (notification.type, notification.account.acct) == ("follow", "cilla")
    finally:
        close(handle)


@pytest.fixture(scope="module")
def masto_js() -> Path:
    script = HERE / "masto_stream.mjs"
    if shutil.which("node") is None or not (HERE / "node_modules" / "masto").is_dir():
        pytest.skip("masto.js is not installed: run tests/clients/setup.sh")
    return script


@pytest.fixture
def masto_stream(
    masto_js: Path, sqlite_server: Server, pair: tuple[Mastodon, Mastodon]
) -> Iterator[subprocess.Popen[str]]:
    anna, _ = pair
    streaming = sqlite_server.base_url.replace("http://", "ws://")
    process = subprocess.Popen(
        ["node", str(masto_js), streaming, anna.access_token, "skola"],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield process
    finally:
        process.kill()
        process.communicate()


def test_masto_js_websocket_with_the_token_as_subprotocol_gets_user_and_hashtag_updates(
    masto_stream: subprocess.Popen[str], pair: tuple[Mastodon, Mastodon]
) -> None:
    _, bosse = pair
    lines: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        assert masto_stream.stdout is not None
        for line in masto_stream.stdout:
            lines.put(json.loads(line))

    threading.Thread(target=read, daemon=True).start()
    seen: set[tuple[str, str]] = set()
    posted: list[str] = []
    next_post = 0.0
    deadline = time.monotonic() + WAIT
    # masto.js subscribes once its socket is open; a post made before that is not streamed,
    # so post again until both streams have carried one.
    while not {("user", "update"), ("hashtag", "update")} <= seen:
        assert time.monotonic() < deadline, f"only {seen} within {WAIT} s"
        if time.monotonic() > next_post:
            posted.append(str(bosse.status_post("Vad gör vi i #skola i dag?").id))
            next_post = time.monotonic() + 1.5
        try:
            event = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if event["payload"] in posted:
            seen.add((event["name"], event["event"]))
            assert event["stream"][0] == ("user" if event["name"] == "user" else "hashtag")
