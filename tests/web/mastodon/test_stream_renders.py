"""One status event reaches every stream of the process and is rendered once for all of
them: a client that leaves in the middle must not take the others' event with it."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from fediverse.events import Event
from tests.web.mastodon.conftest import Instance
from tests.web.mastodon.part2_support import member
from web.streaming.render import SharedRenders, payload_for, render_for


async def test_a_stream_cancelled_mid_render_leaves_the_shared_render_to_the_others(
    instance: Instance,
) -> None:
    anna, bo, cecilia = [await member(instance, n) for n in ("anna", "bo", "cecilia")]
    posted = await instance.client.post(
        "/api/v1/statuses",
        json={"status": "Nu är det lunch!", "visibility": "public"},
        headers=anna.headers,
    )
    assert posted.status_code == 200, posted.text
    event = Event(f"author:{anna.account_id}", "update", {"status_id": posted.json()["id"]})
    shared = SharedRenders(instance.runtime)
    leaving = asyncio.ensure_future(payload_for(instance.runtime, bo.account_id, event, shared))
    staying = asyncio.ensure_future(
        payload_for(instance.runtime, cecilia.account_id, event, shared)
    )
    await asyncio.sleep(0)  # both now wait for the one render, which reads on another thread
    assert not shared.public(event).done()
    leaving.cancel()
    payload = await asyncio.wait_for(staying, 5)
    assert payload is not None and orjson.loads(payload)["content"] == "<p>Nu är det lunch!</p>"
    assert leaving.cancelled()


async def test_an_event_that_fails_to_render_is_logged_and_left_out(
    instance: Instance, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await member(instance, "anna")
    broken = Event(f"author:{anna.account_id}", "update", {"status_id": "inte-ett-id"})
    shared = SharedRenders(instance.runtime)
    assert await render_for(instance.runtime, anna.account_id, broken, shared, "user") is None
    assert "stream event update on author:" in caplog.text
