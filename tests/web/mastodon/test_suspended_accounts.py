"""A suspended account in the Mastodon API, local or remote: found by id, by handle and in
``id[]``, as Mastodon shows it (``suspended: true``, its profile blank), with no statuses."""

from __future__ import annotations

from typing import Any

import pytest

from fediverse.instances import set_domain_policy
from fediverse.moderation import AccountAction, take_action, undo_action
from fediverse.remote import RemoteActor, upsert_remote_account
from fediverse.reports import Moderator
from tests.web.mastodon.conftest import Instance, Member, snapshot

CLI = Moderator(None, "cli")
REMOTE = "kommun-b.test"
BLANK = {
    "display_name": "",
    "note": "",
    "fields": [],
    "emojis": [],
    "roles": [],
    "locked": False,
    "bot": False,
    "discoverable": False,
    "followers_count": 0,
    "following_count": 0,
    "statuses_count": 0,
    "suspended": True,
}


async def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def troll_with_a_profile(instance: Instance) -> Member:
    """A member with a name, a note, a field, a locked account, a follower and a post."""
    troll, anna = await instance.member("troll"), await instance.member("anna")
    c = instance.client
    profile = {
        "display_name": "Tröll Trollsson",
        "note": "Jag bråkar",
        "locked": "false",
        "fields_attributes[0][name]": "Rum",
        "fields_attributes[0][value]": "B12",
    }
    await _ok(await c.patch("/api/v1/accounts/update_credentials", data=profile, **auth(troll)))
    await _ok(await c.post(f"/api/v1/accounts/{troll.account_id}/follow", **auth(anna)))
    await _ok(await c.post("/api/v1/statuses", data={"status": "Otrevligt"}, **auth(troll)))
    return troll


def auth(member: Member) -> dict[str, Any]:
    return {"headers": member.headers}


async def remote_berit(instance: Instance) -> int:
    uri = f"https://{REMOTE}/users/berit"
    actor = RemoteActor(
        uri, "berit", REMOTE, f"{uri}/inbox", display_name="Berit B", note="<p>Hej</p>"
    )
    return await upsert_remote_account(instance.store, actor)


def assert_blank(entity: dict[str, Any], instance: Instance, account_id: int) -> None:
    assert entity["id"] == str(account_id)
    assert {key: entity[key] for key in BLANK} == BLANK
    base = instance.settings.base_url
    assert entity["avatar"] == entity["avatar_static"] == base + "/static/avatar.png"
    assert entity["header"] == entity["header_static"] == base + "/static/header.png"
    assert entity["kollegium"]["title"] == "" and entity["kollegium"]["department"] is None


async def test_suspended_local_account__is_shown_blank_and_suspended_with_no_statuses(
    instance: Instance,
) -> None:
    troll = await troll_with_a_profile(instance)
    viewer = await instance.member("bo")
    c = instance.client
    shown = await _ok(await c.get(f"/api/v1/accounts/{troll.account_id}", **auth(viewer)))
    assert shown["display_name"] == "Tröll Trollsson" and "suspended" not in shown
    await take_action(instance.store, troll.account_id, AccountAction("suspend"), CLI)

    url = f"/api/v1/accounts/{troll.account_id}"
    for headers in (viewer.headers, {}):  # signed in, and not
        entity = await _ok(await c.get(url, headers=headers))
        assert_blank(entity, instance, troll.account_id)
        assert entity["username"] == entity["acct"] == "troll"
    found = await _ok(await c.get("/api/v1/accounts/lookup", params={"acct": "troll"}))
    assert_blank(found, instance, troll.account_id)
    many = await _ok(
        await c.get("/api/v1/accounts", params={"id[]": [str(troll.account_id), "999"]})
    )
    assert [a["id"] for a in many] == [str(troll.account_id)] and many[0]["suspended"] is True
    assert await _ok(await c.get(f"{url}/statuses", **auth(viewer))) == []
    assert await _ok(await c.get("/api/v1/timelines/public")) == []
    # Its lists are empty, as Mastodon shows them (not a 404); the follows themselves are kept.
    assert await _ok(await c.get(f"{url}/followers", **auth(viewer))) == []
    assert await _ok(await c.get(f"{url}/following", **auth(viewer))) == []

    await undo_action(instance.store, troll.account_id, "unsuspend", CLI)
    back = await _ok(await c.get(url, **auth(viewer)))
    assert back["display_name"] == "Tröll Trollsson" and "suspended" not in back
    assert back["fields"][0]["name"] == "Rum" and back["statuses_count"] == 1
    assert [a["username"] for a in await _ok(await c.get(f"{url}/followers"))] == ["anna"]


async def test_suspended_remote_account__is_shown_blank_and_suspended(instance: Instance) -> None:
    berit = await remote_berit(instance)
    viewer = await instance.member("bo")
    c = instance.client
    await take_action(instance.store, berit, AccountAction("suspend"), CLI)
    entity = await _ok(await c.get(f"/api/v1/accounts/{berit}", **auth(viewer)))
    assert_blank(entity, instance, berit)
    assert entity["acct"] == f"berit@{REMOTE}"
    found = await _ok(
        await c.get("/api/v1/accounts/lookup", params={"acct": f"berit@{REMOTE}"}, **auth(viewer))
    )
    assert found["id"] == str(berit) and found["suspended"] is True
    assert await _ok(await c.get(f"/api/v1/accounts/{berit}/statuses", **auth(viewer))) == []


async def test_account_of_a_suspended_domain__stays_not_found(instance: Instance) -> None:
    """Unlike an account's suspension, a domain's purges its accounts' content: what is left
    of them is a 404 (tests/web/mastodon/test_api.py), suspended or not."""
    berit = await remote_berit(instance)
    await take_action(instance.store, berit, AccountAction("suspend"), CLI)
    await set_domain_policy(instance.store, REMOTE, "suspend", actor="test")
    response = await instance.client.get(f"/api/v1/accounts/{berit}")
    assert response.status_code == 404 and response.json() == {"error": "Record not found"}


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/accounts/999", {}, 404),
        ("/api/v1/accounts/abc", {}, 404),
        ("/api/v1/accounts/lookup", {}, 400),
        ("/api/v1/accounts/lookup", {"acct": "nobody"}, 404),
        ("/api/v1/accounts", {"id[]": "abc"}, 422),
    ],
)
async def test_accounts__bad_input_is_a_4xx_with_an_error_and_changes_nothing(
    instance: Instance, path: str, params: dict[str, str], status: int
) -> None:
    troll = await troll_with_a_profile(instance)
    await take_action(instance.store, troll.account_id, AccountAction("suspend"), CLI)
    before = await snapshot(instance.store)
    response = await instance.client.get(path, params=params)
    assert response.status_code == status and "error" in response.json()
    assert await snapshot(instance.store) == before
