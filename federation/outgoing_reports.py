"""``Outgoing`` for a forwarded report: a Flag from the instance actor to the reported
account's server, naming the account and the reported posts, as Mastodon sends it."""

from __future__ import annotations

from typing import Any

from databases.core import Connection
from sqlalchemy import select

from activitypub.vocab import RawObject
from federation.outgoing import Outgoing
from federation.service import Federation
from fediverse.remote import AccountRef, account_by_id
from fediverse.reports import status_id_list
from fediverse.storage.tables import reports, statuses

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


def to_flag_ap(
    flag_id: str, actor: AccountRef, target: AccountRef, objects: list[str], comment: str
) -> RawObject:
    return {
        "@context": AS_CONTEXT,
        "id": flag_id,
        "type": "Flag",
        "actor": actor.uri,
        "content": comment,
        "object": [target.uri, *objects],
        "to": [target.uri],
    }


async def report_forward(
    fed: Federation, conn: Connection, payload: dict[str, Any]
) -> Outgoing | None:
    row = await conn.fetch_one(select(reports).where(reports.c.id == int(payload["report_id"])))
    if row is None:
        return None
    report = dict(row._mapping)
    actor = await account_by_id(conn, int(payload["instance_actor_id"]))
    target = await account_by_id(conn, int(report["target_account_id"]))
    if actor is None or target is None or not actor.is_local or target.is_local:
        return None
    inbox = target.inbox_url or target.shared_inbox_url
    if not inbox:
        return None
    ids = status_id_list(report)
    uris = (
        [r[0] for r in await conn.fetch_all(select(statuses.c.uri).where(statuses.c.id.in_(ids)))]
        if ids
        else []
    )
    flag_id = f"{actor.uri}#reports/{report['id']}"
    flag = to_flag_ap(flag_id, actor, target, sorted(uris), report["comment"])
    return Outgoing(actor.id, flag, [inbox])
