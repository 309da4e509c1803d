"""Notifications: who mentioned, followed, favourited or boosted you, and who asks to join a
group you moderate; read once shown."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import notifications
from fediverse.group_requests import groups_of_requests
from fediverse.paging import PageQuery
from fediverse.visibility import visible_rows
from web.ui.pages import Ui
from web.ui.views import account_dicts, older_url, query_id, status_dicts

PAGE = 30


async def index(ui: Ui) -> Response:
    store = ui.runtime.store
    rows = await notifications.list_notifications(
        store, ui.account_id, PageQuery(limit=PAGE, max_id=query_id(ui, "max_id"))
    )
    request_groups = await groups_of_requests(
        store, {r["follow_request_id"] for r in rows if r["follow_request_id"]}
    )
    senders = [r["from_account_id"] for r in rows]
    accounts = await account_dicts(ui, [*senders, *request_groups.values()])
    status_ids = [r["status_id"] for r in rows if r["status_id"]]
    visible = await visible_rows(store, ui.account_id, status_ids)
    by_id = {int(s["id"]): s for s in await status_dicts(ui, visible)}
    items = [
        {
            "id": r["id"],
            "type": r["type"],
            "read": bool(r["read"]),
            "account": accounts.get(r["from_account_id"]),
            "status": by_id.get(r["status_id"] or 0),
            "group": accounts.get(request_groups.get(r["follow_request_id"] or 0, 0)),
        }
        for r in rows
    ]
    if rows and query_id(ui, "max_id") is None:
        await notifications.mark_read(store, ui.account_id, rows[0]["id"])
        ui.unread = 0
    return ui.render(
        "ui/notifications.html",
        ui.gettext("Notifications"),
        items=items,
        older=older_url(ui, rows, PAGE),
        next="/notifications",
    )
