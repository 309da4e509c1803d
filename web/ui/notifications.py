"""Notifications: who mentioned, followed, favourited or boosted you; read once shown."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import notifications
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
    accounts = await account_dicts(ui, [r["from_account_id"] for r in rows])
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
