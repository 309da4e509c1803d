"""``POST /api/v1/reports``: a member of staff reports an account (and some of its posts);
with ``forward`` and a remote account, its server gets a Flag from our instance actor."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import reports
from fediverse.accounts import ensure_instance_actor
from fediverse.hydrate import load_accounts
from fediverse.reports import NewReport
from web.mastodon.endpoint import Call, api, json
from web.mastodon.serializers.accounts import serialize_account
from web.mastodon.serializers.admin import serialize_report


@api("write:reports")
async def create(call: Call) -> Response:
    p = call.params
    new = NewReport(
        target_account_id=p.required_id("account_id"),
        status_ids=p.id_list("status_ids", max_items=reports.MAX_STATUSES),
        comment=p.text("comment", "", max_length=reports.MAX_COMMENT),
        category=p.text("category", "other", max_length=20),
        rule_ids=p.id_list("rule_ids", max_items=20),
        forward=bool(p.flag("forward", False)),
    )
    actor = None
    if new.forward:
        actor = await ensure_instance_actor(
            call.store, call.settings.domain, call.settings.base_url
        )
    report_id = await reports.file_report(call.store, call.account_id, new, instance_actor_id=actor)
    row = await reports.get_report(call.store, report_id)
    async with call.store.read() as conn:
        found = await load_accounts(conn, [row["target_account_id"]])
    target = found.get(row["target_account_id"])
    entity = serialize_account(target, call.settings.base_url) if target else None
    return json(serialize_report(row, entity))
