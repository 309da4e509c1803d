"""Admin: announcements to every member, and who has read (dismissed) each of them.
``fediverse.announcements`` audits each change and tells every open stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from fediverse import announcements
from fediverse.announcements import AnnouncementChange
from fediverse.errors import KollegiumError, NotFoundError
from web.mastodon.serializers.accounts import serialize_account
from web.ui.admin import iso, require_admin
from web.ui.pages import Ui


@dataclass(frozen=True, slots=True)
class Shown:
    """An announcement on the admin page: its row, its readers, how many have not read it."""

    row: Any
    iso: str
    readers: list[dict[str, Any]]
    unread_count: int


async def index(ui: Ui, error: str | None = None, status: int = 200) -> Response:
    require_admin(ui)
    store = ui.runtime.store
    shown = []
    for found in await announcements.all_announcements(store):
        read = await announcements.read_by(store, int(found.row["id"]))
        readers = [serialize_account(r, ui.settings.base_url) for r in read.readers]
        shown.append(Shown(found.row, iso(found.row["created_at"]), readers, read.unread_count))
    return ui.render(
        "ui/admin/announcements.html",
        ui.gettext("Announcements"),
        status,
        announcements=shown,
        text=ui.field("text"),
        error=error,
        done=ui.request.query_params.get("done", ""),
    )


async def create(ui: Ui) -> Response:
    by = require_admin(ui)
    change = AnnouncementChange(text=ui.field("text"), published=ui.field("published") == "on")
    try:
        await announcements.create(
            ui.runtime.store,
            (ui.account_id, by.actor),
            change,
            ui.settings.base_url,
            ui.settings.domain,
        )
    except KollegiumError as exc:
        return await index(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect("/admin/announcements?done=created")


async def change(ui: Ui) -> Response:
    """``publish``, ``unpublish`` or ``delete`` one announcement."""
    by = require_admin(ui)
    raw = str(ui.request.path_params.get("id", ""))
    kind = ui.field("action")
    if not raw.isdigit() or len(raw) > 19 or kind not in ("publish", "unpublish", "delete"):
        raise NotFoundError(ui.gettext("There is no such record."))
    admin, store = (ui.account_id, by.actor), ui.runtime.store
    if kind == "delete":
        await announcements.delete_announcement(store, admin, int(raw))
    else:
        await announcements.update_announcement(
            store,
            admin,
            int(raw),
            AnnouncementChange(published=kind == "publish"),
            ui.settings.base_url,
            ui.settings.domain,
        )
    return ui.redirect(f"/admin/announcements?done={kind}")
