"""``local_only`` through the client API: set by the post as form or JSON (booleans or the
strings "true"/"false"), else the author's preference, else the instance's default; a reply
to a local-only status is local-only whatever it asked."""

from __future__ import annotations

from typing import Any

from tests.web.mastodon.conftest import Instance, Member


async def posted(instance: Instance, who: Member, *, as_json: bool, **data: Any) -> Any:
    sent = {"json": data} if as_json else {"data": data}
    response = await instance.client.post("/api/v1/statuses", headers=who.headers, **sent)
    assert response.status_code == 200, response.text
    return response.json()


async def test_local_only__every_way_a_client_may_say_it_and_the_defaults(
    instance: Instance,
) -> None:
    anna = await instance.member("anna")
    cases: list[tuple[bool, Any, bool]] = [
        (False, "false", False),
        (False, "true", True),
        (True, "false", False),
        (True, "true", True),
        (True, False, False),
        (True, True, True),
    ]
    for as_json, value, expected in cases:
        status = await posted(instance, anna, as_json=as_json, status="x", local_only=value)
        assert status["local_only"] is expected, (as_json, value)
    bad = await instance.client.post(
        "/api/v1/statuses", headers=anna.headers, data={"status": "x", "local_only": "kanske"}
    )
    assert bad.status_code == 422
    assert bad.json() == {"error": "local_only must be true or false"}

    # An app that knows nothing of it: the author's preference, else the instance's default.
    bosse = await instance.member("bosse")
    assert (await posted(instance, anna, as_json=False, status="x"))["local_only"] is True
    me = await instance.client.get("/api/v1/accounts/verify_credentials", headers=anna.headers)
    assert me.json()["source"]["local_only"] is True
    await instance.client.patch(
        "/api/v1/accounts/update_credentials",
        data={"source[local_only]": "false"},
        headers=anna.headers,
    )
    assert (await posted(instance, anna, as_json=True, status="y"))["local_only"] is False

    # A reply to a local-only status, and a boost of it, stay local.
    internal = await posted(instance, anna, as_json=True, status="internt", local_only=True)
    reply = await posted(
        instance,
        bosse,
        as_json=True,
        status="svar",
        in_reply_to_id=internal["id"],
        local_only=False,
    )
    assert reply["local_only"] is True
    boost = await instance.client.post(
        f"/api/v1/statuses/{internal['id']}/reblog", headers=bosse.headers
    )
    assert boost.json()["local_only"] is True
