"""Grouped notifications (v2), the notification policy and requests, and unread counts."""

from __future__ import annotations

from tests.web.mastodon.conftest import Instance, Member
from tests.web.mastodon.part2_support import member


async def post(instance: Instance, who: Member, text: str) -> str:
    answer = await instance.client.post(
        "/api/v1/statuses", json={"status": text}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


async def test_grouped_notifications__favourites_of_one_status_are_one_group(
    instance: Instance,
) -> None:
    anna, bo, cilla, dag = [await member(instance, n) for n in ("anna", "bo", "cilla", "dag")]
    c = instance.client
    liked = await post(instance, anna, "Fika klockan tre!")
    for who in (bo, cilla, dag):
        await c.post(f"/api/v1/statuses/{liked}/favourite", headers=who.headers)
    await c.post(f"/api/v1/accounts/{anna.account_id}/follow", headers=bo.headers)
    await post(instance, bo, "@anna kommer du?")

    answer = await c.get("/api/v2/notifications", headers=anna.headers)
    assert answer.status_code == 200
    body = answer.json()
    groups = body["notification_groups"]
    assert [g["type"] for g in groups] == ["mention", "follow", "favourite"]
    favourites = groups[2]
    assert favourites["group_key"] == f"favourite-{liked}"
    assert favourites["notifications_count"] == 3
    assert favourites["status_id"] == liked
    assert favourites["sample_account_ids"] == [
        str(dag.account_id),
        str(cilla.account_id),
        str(bo.account_id),
    ]
    assert groups[0]["group_key"].startswith("ungrouped-")
    assert {a["username"] for a in body["accounts"]} == {"bo", "cilla", "dag"}
    assert liked in [s["id"] for s in body["statuses"]]
    ungrouped = await c.get(
        "/api/v2/notifications", params={"grouped_types[]": "reblog"}, headers=anna.headers
    )
    assert len(ungrouped.json()["notification_groups"]) == 5
    paged = await c.get("/api/v2/notifications", params={"limit": 2}, headers=anna.headers)
    assert 'rel="next"' in paged.headers["link"]

    one = await c.get(f"/api/v2/notifications/favourite-{liked}", headers=anna.headers)
    assert one.json()["notification_groups"][0]["notifications_count"] == 3
    who = await c.get(f"/api/v2/notifications/favourite-{liked}/accounts", headers=anna.headers)
    assert [a["username"] for a in who.json()] == ["dag", "cilla", "bo"]
    assert (await c.get("/api/v2/notifications/unread_count", headers=anna.headers)).json() == {
        "count": 3
    }
    newest = groups[0]["most_recent_notification_id"]
    await c.post(
        "/api/v1/markers", json={"notifications": {"last_read_id": newest}}, headers=anna.headers
    )
    assert (await c.get("/api/v2/notifications/unread_count", headers=anna.headers)).json() == {
        "count": 0
    }
    dismissed = await c.post(
        f"/api/v2/notifications/favourite-{liked}/dismiss", headers=anna.headers
    )
    assert dismissed.json() == {}
    left = (await c.get("/api/v2/notifications", headers=anna.headers)).json()
    assert [g["type"] for g in left["notification_groups"]] == ["mention", "follow"]
    assert (
        await c.get(f"/api/v2/notifications/favourite-{liked}", headers=bo.headers)
    ).status_code == 404
    assert (
        await c.post("/api/v2/notifications/ungrouped-1/dismiss", headers=anna.headers)
    ).status_code == 404
    # Unknown types are left out, as Mastodon leaves them out (tests/web/mastodon/test_api.py);
    # a malformed flag is refused.
    assert (
        await c.get("/api/v2/notifications", params={"expand_accounts": "x"}, headers=anna.headers)
    ).status_code == 422
    writer = await member(instance, "eva", scopes="write")
    assert (await c.get("/api/v2/notifications", headers=writer.headers)).status_code == 403


async def test_notification_policy_accepts_everything_and_there_are_no_requests(
    instance: Instance,
) -> None:
    anna = await member(instance, "anna")
    c = instance.client
    policy = (await c.get("/api/v2/notifications/policy", headers=anna.headers)).json()
    assert policy["for_not_following"] == "accept"
    assert policy["summary"] == {"pending_requests_count": 0, "pending_notifications_count": 0}
    kept = await c.patch(
        "/api/v2/notifications/policy", json={"for_new_accounts": "accept"}, headers=anna.headers
    )
    assert kept.status_code == 200
    refused = await c.patch(
        "/api/v2/notifications/policy", json={"for_new_accounts": "drop"}, headers=anna.headers
    )
    assert refused.status_code == 422
    assert (await c.get("/api/v1/notifications/requests", headers=anna.headers)).json() == []
    v2 = (await c.get("/api/v2/instance")).json()
    assert v2["version"].startswith("4.3.0 (compatible; Kollegium")
