"""Mastodon's admin reports API: list, show, assign_to_self, unassign, resolve, reopen, and
Kollegium's remove_statuses (the report's statuses deleted by a moderator)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from fediverse import moderation, reports
from fediverse.errors import ValidationError
from fediverse.hydrate import load_status_rows
from fediverse.reports import ReportFilter
from web.mastodon.admin import acting, admin_accounts_json, require_staff
from web.mastodon.endpoint import Api, Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import statuses_json
from web.mastodon.serializers.admin import serialize_admin_report

READ, WRITE = "admin:read:reports", "admin:write:reports"


async def reports_json(call: Call, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Admin::Report entities for a page, with one load of accounts and one of statuses."""
    columns = ("account_id", "target_account_id", "assigned_account_id")
    ids = {row[c] for row in rows for c in (*columns, "action_taken_by_account_id")}
    admins = await admin_accounts_json(call, ids)
    status_ids = {i for row in rows for i in reports.status_id_list(row)}
    async with call.store.read() as conn:
        found = await load_status_rows(conn, status_ids)
    ordered = [found[i] for i in sorted(found, reverse=True)]
    by_id = {int(s["id"]): s for s in await statuses_json(call, ordered)}
    return [
        serialize_admin_report(
            row, admins, [by_id[i] for i in reports.status_id_list(row) if i in by_id]
        )
        for row in rows
    ]


@api(READ)
async def index(call: Call) -> Response:
    require_staff(call)
    p = call.params
    found = ReportFilter(
        resolved=bool(p.flag("resolved", False)),
        account_id=p.id("account_id"),
        target_account_id=p.id("target_account_id"),
    )
    rows = await reports.list_reports(call.store, found, page_query(call, default=100, maximum=200))
    return json(await reports_json(call, rows), headers=link_header(call, [r["id"] for r in rows]))


@api(READ)
async def show(call: Call) -> Response:
    require_staff(call)
    row = await reports.get_report(call.store, call.path_id())
    return json((await reports_json(call, [row]))[0])


async def _step(call: Call, step: Any) -> Response:
    require_staff(call)
    row = await step(call.store, call.path_id(), await acting(call))
    return json((await reports_json(call, [row]))[0])


@api(WRITE)
async def assign_to_self(call: Call) -> Response:
    return await _step(call, reports.assign_to_self)


@api(WRITE)
async def unassign(call: Call) -> Response:
    return await _step(call, reports.unassign)


@api(WRITE)
async def resolve(call: Call) -> Response:
    return await _step(call, reports.resolve)


@api(WRITE)
async def reopen(call: Call) -> Response:
    return await _step(call, reports.reopen)


@api(WRITE)
async def remove_statuses(call: Call) -> Response:
    """Delete the report's statuses (or the ``status_ids`` given, which must be among them)."""
    require_staff(call)
    row = await reports.get_report(call.store, call.path_id())
    reported = reports.status_id_list(row)
    chosen = call.params.id_list("status_ids", max_items=100) or reported
    if not set(chosen) <= set(reported):
        raise ValidationError("status_ids must be statuses of the report")
    await moderation.remove_statuses(call.runtime, chosen, await acting(call), report_id=row["id"])
    return json((await reports_json(call, [row]))[0])


STEPS: dict[str, Api] = {
    "assign_to_self": assign_to_self,
    "unassign": unassign,
    "resolve": resolve,
    "reopen": reopen,
    "remove_statuses": remove_statuses,
}
