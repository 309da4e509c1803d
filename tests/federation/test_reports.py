"""Reports across servers: a signed Flag into our inbox becomes a report for the moderators;
a report forwarded by a member of staff goes out as a Flag from the instance actor."""

from __future__ import annotations

from sqlalchemy import select

from fediverse.accounts import ensure_instance_actor
from fediverse.reports import NewReport, file_report
from fediverse.storage.tables import notifications, reports
from tests.federation.support import Bench, fixture, remote_actor, rewrite
from tests.federation.test_handlers import count, deliver, local_post

REPORTER = "https://mastodon.example/actor"
TROLL = "https://mastodon.example/users/troll"


async def test_flag__becomes_a_report_and_notifies_the_moderators_once(bench: Bench) -> None:
    alice = await bench.user("alice")
    moderator = await bench.user("mod", role="moderator")
    await bench.user("bob")  # a user: not told
    status_id, status_uri = await local_post(bench, alice)
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", REPORTER))
    flag = rewrite(
        fixture("mastodon/flag.json"),
        {
            "https://example.com/users/1": bench.actor_uri("alice"),
            "https://example.com/posts/380590": status_uri,
        },
    )
    await deliver(bench, actor, flag)
    async with bench.store.read() as conn:
        found = await conn.fetch_all(select(reports))
    assert len(found) == 1
    report = found[0]._mapping
    assert report["target_account_id"] == alice and report["uri"] == flag["id"]
    assert report["status_ids"] == f"[{status_id}]"
    assert report["comment"] == "Please take a look at this user and their posts"
    assert await count(bench, notifications, notifications.c.type == "admin.report") == 1
    assert await count(bench, notifications, notifications.c.account_id == moderator) == 1

    redelivered = dict(flag)  # the same Flag again (a new delivery of one activity id)
    await deliver(bench, actor, redelivered)
    assert await count(bench, reports) == 1


async def test_flag__about_nobody_of_ours_is_ignored(bench: Bench) -> None:
    await bench.user("mod", role="moderator")
    actor = bench.remote.add_actor(remote_actor("mastodon/actor.json", REPORTER))
    await deliver(bench, actor, fixture("mastodon/flag.json"))
    assert await count(bench, reports) == 0
    assert await count(bench, notifications) == 0


async def test_forwarded_report__is_a_flag_from_the_instance_actor_to_the_account_inbox(
    bench: Bench,
) -> None:
    anna = await bench.user("anna")
    troll = bench.remote.add_actor(remote_actor("mastodon/actor.json", TROLL))
    target = await bench.federation.actors.by_uri(troll.uri)
    instance_actor = await ensure_instance_actor(bench.store, bench.settings.domain, bench.base_url)
    new = NewReport(target.id, comment="Spam i vår grupp", category="spam", forward=True)
    report_id = await file_report(bench.store, anna, new, instance_actor_id=instance_actor)
    unforwarded = NewReport(target.id, comment="bara lokalt")
    await file_report(bench.store, anna, unforwarded, instance_actor_id=instance_actor)
    await bench.run_jobs()
    flags = [(url, body, h) for url, body, h in bench.remote.posted if body["type"] == "Flag"]
    assert len(flags) == 1
    url, body, headers = flags[0]
    assert url == troll.document["inbox"]
    assert body["actor"] == f"{bench.base_url}/actor"
    assert body["object"] == [TROLL] and body["content"] == "Spam i vår grupp"
    assert body["id"] == f"{bench.base_url}/actor#reports/{report_id}"
    assert f"{bench.base_url}/actor#main-key" in headers.get("signature", "") + headers.get(
        "signature-input", ""
    )
    async with bench.store.read() as conn:
        forwarded = await conn.fetch_val(
            select(reports.c.forwarded).where(reports.c.id == report_id)
        )
    assert forwarded is True
