"""Announcements on a member's home page, until they dismiss them (which the admin page
counts as read)."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import announcements
from fediverse.announcements import Announcement
from fediverse.errors import NotFoundError
from web.ui.pages import Ui


async def for_home(ui: Ui) -> list[Announcement]:
    """The active announcements the viewer has not dismissed, newest first."""
    return await announcements.for_member(ui.runtime.store, ui.account_id)


async def dismiss(ui: Ui) -> Response:
    raw = str(ui.request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("There is no such record."))
    await announcements.dismiss(ui.runtime.store, ui.account_id, int(raw))
    return ui.redirect("/")
