"""A thread, and what a reader does to a post: reply, favourite, boost, vote."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import editing, interactions, polls, timelines
from fediverse.errors import NotFoundError
from fediverse.visibility import visible_rows
from web.ui.compose import Draft
from web.ui.pages import Ui
from web.ui.views import local_path, status_dicts


def _path_id(ui: Ui) -> int:
    raw = str(ui.request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("That post does not exist, or you may not see it."))
    return int(raw)


def _reply_draft(ui: Ui, focal: dict[str, object], mentions: list[str]) -> Draft:
    audience = "local" if focal["local_only"] else "federated"
    if focal["visibility"] == "direct":
        audience = "direct"
    own = ui.user.username if ui.user else ""
    text = " ".join(f"@{m}" for m in dict.fromkeys(mentions) if m != own)
    return Draft(
        text=f"{text} " if text else "", audience=audience, in_reply_to_id=int(str(focal["id"]))
    )


async def thread(ui: Ui) -> Response:
    status_id = _path_id(ui)
    viewer = ui.user.account_id if ui.user else None
    store = ui.runtime.store
    found = await visible_rows(store, viewer, [status_id])
    if not found:
        raise NotFoundError(ui.gettext("That post does not exist, or you may not see it."))
    above, below = await timelines.context(store, viewer, status_id)
    everything = await status_dicts(ui, [*above, *found, *below])
    focal = everything[len(above)]
    mentions = [focal["account"]["acct"], *(m["acct"] for m in focal["mentions"])]
    return ui.render(
        "ui/thread.html",
        ui.gettext(
            "Post by %(name)s",
            name=focal["account"]["display_name"] or focal["account"]["username"],
        ),
        ancestors=everything[: len(above)],
        focal=focal,
        descendants=everything[len(above) + 1 :],
        draft=_reply_draft(ui, focal, mentions),
        next=f"/statuses/{status_id}",
    )


def _back(ui: Ui, status_id: int) -> Response:
    return ui.redirect(local_path(ui.field("next", "/")) + f"#s-{status_id}")


async def favourite(ui: Ui) -> Response:
    status_id = _path_id(ui)
    store = ui.runtime.store
    if ui.field("undo") == "1":
        await interactions.unfavourite(store, ui.account_id, status_id)
    else:
        await interactions.favourite(store, ui.account_id, status_id)
    return _back(ui, status_id)


async def boost(ui: Ui) -> Response:
    status_id = _path_id(ui)
    if ui.field("undo") == "1":
        await interactions.unreblog(ui.runtime.store, ui.account_id, status_id)
    else:
        await interactions.reblog(ui.runtime, ui.account_id, status_id, None)
    return _back(ui, status_id)


async def vote(ui: Ui) -> Response:
    raw = str(ui.request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("That post does not exist, or you may not see it."))
    assert ui.form is not None
    choices = [int(c) for c in ui.form.getlist("choice") if isinstance(c, str) and c.isdigit()]
    status_id = await polls.vote(ui.runtime.store, ui.account_id, int(raw), choices)
    return _back(ui, status_id)


async def delete_form(ui: Ui) -> Response:
    """Asks first: deleting cannot be undone, and a stray tap on a phone is easy."""
    status_id = _path_id(ui)
    found = await visible_rows(ui.runtime.store, ui.account_id, [status_id])
    if not found or found[0]["account_id"] != ui.account_id:
        raise NotFoundError(ui.gettext("That post does not exist, or you may not see it."))
    [focal] = await status_dicts(ui, found)
    return ui.render("ui/delete.html", ui.gettext("Delete the post?"), focal=focal, next="/")


async def delete(ui: Ui) -> Response:
    await editing.delete_status(ui.runtime, ui.account_id, _path_id(ui))
    return ui.redirect("/?deleted=1")
