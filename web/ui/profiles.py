"""A colleague's profile: name, title, department, contact details, posts; follow them."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import directory, relationships, timelines
from fediverse.timelines import AccountFilter
from fediverse.web_users import staff_card
from web.mastodon.serializers.accounts import serialize_account
from web.ui.pages import Ui
from web.ui.views import local_path, older_url, page_query, status_dicts


async def profile(ui: Ui) -> Response:
    acct = str(ui.request.path_params["acct"])
    store = ui.runtime.store
    row = await directory.lookup(store, acct, ui.settings.domain)
    account = serialize_account(row, ui.settings.base_url)
    viewer = ui.user.account_id if ui.user else None
    rows = await timelines.account_statuses(
        store, viewer, row["id"], page_query(ui), AccountFilter(exclude_reblogs=False)
    )
    relation = None
    if viewer is not None and viewer != row["id"]:
        relation = (await relationships.relationships(store, viewer, [row["id"]]))[0]
    return ui.render(
        "ui/profile.html",
        account["display_name"] or account["username"],
        account=account,
        card=await staff_card(store, row["id"]),
        relation=relation,
        statuses=await status_dicts(ui, rows),
        older=older_url(ui, rows),
        next=f"/@{account['acct']}",
    )


async def follow(ui: Ui) -> Response:
    acct = str(ui.request.path_params["acct"])
    store = ui.runtime.store
    row = await directory.lookup(store, acct, ui.settings.domain)
    if ui.field("undo") == "1":
        await relationships.unfollow(store, ui.account_id, row["id"])
    else:
        await relationships.follow(store, ui.account_id, row["id"])
    return ui.redirect(local_path(ui.field("next"), f"/@{acct}"))
