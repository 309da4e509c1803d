"""The home timeline with the composer on top, and the newer posts the live updates fetch."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import timelines
from web.ui import announcements, groups
from web.ui.compose import Draft, default_audience
from web.ui.pages import Ui
from web.ui.views import older_url, page_query, status_dicts


async def home(ui: Ui) -> Response:
    rows = await timelines.home(ui.runtime.store, ui.account_id, page_query(ui))
    first_page = ui.request.query_params.get("max_id") is None
    posts = await status_dicts(ui, rows)
    await groups.name_group_posts(ui, rows, posts)
    return ui.render(
        "ui/home.html",
        ui.gettext("Home"),
        statuses=posts,
        older=older_url(ui, rows),
        draft=Draft(audience=default_audience(ui), groups=await groups.composer_groups(ui)),
        next="/",
        first_page=first_page,
        announcements=await announcements.for_home(ui) if first_page else [],
    )


async def newer(ui: Ui) -> Response:
    """Posts newer than ``since_id`` as a fragment of the timeline, for the live updates."""
    rows = await timelines.home(ui.runtime.store, ui.account_id, page_query(ui, 40))
    return ui.render("ui/_statuses.html", "", statuses=await status_dicts(ui, rows))
