"""Direct conversations: listed per participant, unread until read, removed until a new post."""

from __future__ import annotations

from tests.web.mastodon.conftest import Instance, Member
from tests.web.mastodon.part2_support import member


async def post(instance: Instance, who: Member, text: str, **extra: object) -> str:
    answer = await instance.client.post(
        "/api/v1/statuses", json={"status": text, **extra}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


async def test_conversations__listed_read_and_removed_per_participant(instance: Instance) -> None:
    anna, bo, cilla = [await member(instance, n) for n in ("anna", "bo", "cilla")]
    c = instance.client
    first = await post(instance, anna, "@bo @cilla hej båda", visibility="direct")
    reply = await post(instance, bo, "@anna @cilla hej!", visibility="direct", in_reply_to_id=first)
    other = await post(instance, anna, "@bo bara vi två", visibility="direct")
    await post(instance, anna, "offentligt, inte en konversation")

    listed = await c.get("/api/v1/conversations", headers=cilla.headers)
    [only] = listed.json()
    assert only["last_status"]["id"] == reply
    assert only["unread"] is True
    assert sorted(a["username"] for a in only["accounts"]) == ["anna", "bo"]
    of_bo = (await c.get("/api/v1/conversations", headers=bo.headers)).json()
    assert [x["last_status"]["id"] for x in of_bo] == [other, reply]
    assert [x["unread"] for x in of_bo] == [True, False], "his own post is not unread to him"
    page = await c.get("/api/v1/conversations", params={"limit": 1}, headers=bo.headers)
    assert len(page.json()) == 1 and 'rel="next"' in page.headers["link"]

    read = await c.post(f"/api/v1/conversations/{only['id']}/read", headers=cilla.headers)
    assert read.status_code == 200 and read.json()["unread"] is False
    removed = await c.delete(f"/api/v1/conversations/{only['id']}", headers=cilla.headers)
    assert removed.json() == {}
    assert (await c.get("/api/v1/conversations", headers=cilla.headers)).json() == []
    newer = await post(
        instance, anna, "@bo @cilla en sak till", visibility="direct", in_reply_to_id=reply
    )
    [back] = (await c.get("/api/v1/conversations", headers=cilla.headers)).json()
    assert back["last_status"]["id"] == newer and back["unread"] is True

    outsider = await member(instance, "dag")
    for method, path in [
        ("POST", f"/api/v1/conversations/{only['id']}/read"),
        ("DELETE", f"/api/v1/conversations/{only['id']}"),
        ("POST", "/api/v1/conversations/abc/read"),
    ]:
        assert (await c.request(method, path, headers=outsider.headers)).status_code == 404
    assert (await c.get("/api/v1/conversations", headers=outsider.headers)).json() == []
    reader = await member(instance, "eva", scopes="read")
    denied = await c.post(f"/api/v1/conversations/{only['id']}/read", headers=reader.headers)
    assert denied.status_code == 403
    bad = await c.get("/api/v1/conversations", params={"max_id": "x"}, headers=anna.headers)
    assert bad.status_code == 422


async def test_the_direct_stream_sends_a_new_direct_post_as_its_conversation(
    instance: Instance,
) -> None:
    import asyncio

    import orjson

    from web.streaming.render import render_for
    from web.streaming.streams import open_stream

    anna, bo = await member(instance, "anna"), await member(instance, "bo")
    stream = await open_stream(instance.runtime, "direct", {}, bo.account_id)
    events = instance.runtime.events.subscribe(set(stream.topics))
    posted = await post(instance, anna, "@bo en fråga", visibility="direct")
    event = await asyncio.wait_for(events.get(), 2)
    rendered = await render_for(instance.runtime, bo.account_id, event, None, "direct")
    assert rendered is not None
    name, payload = rendered
    conversation = orjson.loads(payload)
    assert name == "conversation"
    assert conversation["last_status"]["id"] == posted
    assert [a["username"] for a in conversation["accounts"]] == ["anna"]
    assert conversation["unread"] is True
    events.close()
