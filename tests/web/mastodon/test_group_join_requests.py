"""Join requests in the Mastodon API: a moderator's ``group_join_request`` notifications
reach a client only when it names the type in ``types[]`` (v1, v2, streaming)."""

from __future__ import annotations

from typing import Any

from fediverse.events import Event
from fediverse.notifications import list_notifications
from fediverse.paging import PageQuery
from tests.web.mastodon.conftest import Instance, Member
from web.streaming.render import payload_for

ASKED = {"types[]": "group_join_request"}


async def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def _asked_by_following(instance: Instance) -> tuple[Member, Member, str]:
    """anna's closed group, which bo asks to join as a Mastodon app does: by following it."""
    anna, bo = await instance.member("anna"), await instance.member("bo")
    group = await _ok(
        await instance.client.post(
            "/api/v1/groups", data={"name": "lag", "privacy": "closed"}, headers=anna.headers
        )
    )
    follow = f"/api/v1/accounts/{group['id']}/follow"
    relationship = await _ok(await instance.client.post(follow, headers=bo.headers))
    assert relationship["requested"] is True
    return anna, bo, str(group["id"])


async def test_join_request__v1_only_for_a_client_that_asks_for_the_type(
    instance: Instance,
) -> None:
    anna, bo, group_id = await _asked_by_following(instance)
    c = instance.client
    assert await _ok(await c.get("/api/v1/notifications", headers=anna.headers)) == []
    unread = "/api/v1/notifications/unread_count"
    assert await _ok(await c.get(unread, headers=anna.headers)) == {"count": 0}
    excluded = {"exclude_types[]": "group_join_request"}  # a known type: no 422
    assert (
        await _ok(await c.get("/api/v1/notifications", params=excluded, headers=anna.headers)) == []
    )

    (found,) = await _ok(await c.get("/api/v1/notifications", params=ASKED, headers=anna.headers))
    assert found["type"] == "group_join_request"
    assert found["account"]["username"] == "bo"
    assert found["status"] is None
    assert found["group_account"]["id"] == group_id
    assert found["group_account"]["group"] is True
    assert found["group_key"] == f"group_join_request-{group_id}"
    one = await _ok(await c.get(f"/api/v1/notifications/{found['id']}", headers=anna.headers))
    assert one == found

    approve = f"/api/v1/groups/{group_id}/join_requests/{bo.account_id}/approve"
    await _ok(await c.post(approve, headers=anna.headers))
    assert await _ok(await c.get("/api/v1/notifications", params=ASKED, headers=anna.headers)) == []


async def test_join_request__v2_grouped_by_group_only_when_asked_for(instance: Instance) -> None:
    anna, bo, group_id = await _asked_by_following(instance)
    c = instance.client
    plain = await _ok(await c.get("/api/v2/notifications", headers=anna.headers))
    assert plain["notification_groups"] == []
    unread = "/api/v2/notifications/unread_count"
    assert await _ok(await c.get(unread, headers=anna.headers)) == {"count": 0}

    asked = await _ok(await c.get("/api/v2/notifications", params=ASKED, headers=anna.headers))
    (group,) = asked["notification_groups"]
    assert group["type"] == "group_join_request"
    assert group["group_key"] == f"group_join_request-{group_id}"
    assert group["sample_account_ids"] == [str(bo.account_id)]
    assert group["group_account_id"] == group_id
    assert {a["id"] for a in asked["accounts"]} == {str(bo.account_id), group_id}


async def test_join_request__streamed_to_the_web_app_but_not_to_mastodon_apps(
    instance: Instance,
) -> None:
    anna, _bo, _group_id = await _asked_by_following(instance)
    (row,) = await list_notifications(instance.store, anna.account_id, PageQuery(limit=5))
    event = Event(f"user:{anna.account_id}", "notification", {"notification_id": str(row["id"])})
    runtime = instance.runtime
    assert await payload_for(runtime, anna.account_id, event) is None
    shown = await payload_for(runtime, anna.account_id, event, own_types=True)
    assert shown is not None and '"type":"group_join_request"' in shown


async def test_join_request__a_moderator_appointed_after_it_is_told_of_it(
    instance: Instance,
) -> None:
    anna, bo, group_id = await _asked_by_following(instance)
    c = instance.client
    cia = await instance.member("cia")
    await _ok(await c.post(f"/api/v1/groups/{group_id}/join", headers=cia.headers))
    approve = f"/api/v1/groups/{group_id}/join_requests/{cia.account_id}/approve"
    await _ok(await c.post(approve, headers=anna.headers))
    role = f"/api/v1/groups/{group_id}/members/{cia.account_id}/role"
    for bad, status in (({}, 400), ({"role": "emperor"}, 422)):
        refused = await c.post(role, data=bad, headers=anna.headers)
        assert refused.status_code == status and "error" in refused.json(), bad
    asked = "/api/v1/notifications"
    assert await _ok(await c.get(asked, params=ASKED, headers=cia.headers)) == []

    for _ in range(2):  # appointed twice over: told once
        await _ok(await c.post(role, data={"role": "moderator"}, headers=anna.headers))
    (found,) = await _ok(await c.get(asked, params=ASKED, headers=cia.headers))
    assert found["type"] == "group_join_request"
    assert found["account"]["username"] == "bo"
    assert found["group_account"]["id"] == group_id
    approve_bo = f"/api/v1/groups/{group_id}/join_requests/{bo.account_id}/approve"
    await _ok(await c.post(approve_bo, headers=cia.headers))
    assert await _ok(await c.get(asked, params=ASKED, headers=cia.headers)) == []
