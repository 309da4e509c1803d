"""A group's members, and what its moderators do: approve or reject join requests, ban and
unban, make moderators, remove posts, edit the group. The domain services check the role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from fediverse import groups
from fediverse.errors import ForbiddenError, KollegiumError, NotFoundError
from fediverse.groups import GroupChange, Member
from fediverse.storage.database import Store
from web.ui.groups import group_id, handle, partner_domains, privacy_texts
from web.ui.pages import Ui
from web.ui.views import account_dicts

Action = Callable[[Store, int, int, int], Awaitable[None]]


async def _set_moderator(store: Store, by: int, group: int, account: int) -> None:
    await groups.set_role(store, by, group, account, "moderator")


async def _set_member(store: Store, by: int, group: int, account: int) -> None:
    await groups.set_role(store, by, group, account, "member")


ACTIONS: dict[str, Action] = {
    "approve": groups.approve,
    "reject": groups.reject,
    "ban": groups.ban,
    "unban": groups.unban,
    "moderator": _set_moderator,
    "member": _set_member,
}


async def members(ui: Ui) -> Response:
    store = ui.runtime.store
    group = await groups.get_group(store, group_id(ui))
    state = (await groups.viewer_states(store, ui.account_id, [group.id])).get(group.id)
    moderator = state in ("moderator", "admin")
    lists: dict[str, list[Member]] = {
        "member": await groups.members(store, ui.account_id, group.id, limit=80)
    }
    if moderator:
        for kind in ("pending", "banned"):
            lists[kind] = await groups.members(store, ui.account_id, group.id, state=kind, limit=80)
    ids = [m.account_id for found in lists.values() for m in found]
    return ui.render(
        "ui/groups_members.html",
        ui.gettext("Members of %(name)s", name=group.display_name or group.username),
        group=group,
        handle=handle(group),
        moderator=moderator,
        lists=lists,
        accounts=await account_dicts(ui, ids),
        own_id=ui.account_id,
    )


async def moderate(ui: Ui) -> Response:
    target = group_id(ui)
    action = ACTIONS.get(ui.field("action"))
    raw = ui.field("account_id")
    if action is None or not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("There is no such request."))
    await action(ui.runtime.store, ui.account_id, target, int(raw))
    return ui.redirect(f"/groups/{target}/members?done={ui.field('action')}")


async def remove_post(ui: Ui) -> Response:
    target = group_id(ui)
    raw = str(ui.request.path_params.get("status_id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("That post does not exist, or you may not see it."))
    await groups.remove_post(ui.runtime, ui.account_id, target, int(raw))
    return ui.redirect(f"/groups/{target}?notice=removed")


async def edit_form(
    ui: Ui, error: str | None = None, status: int = 200, *, from_form: bool = False
) -> Response:
    store = ui.runtime.store
    group = await groups.get_group(store, group_id(ui))
    state = (await groups.viewer_states(store, ui.account_id, [group.id])).get(group.id)
    if state not in ("moderator", "admin") or not group.is_local:
        raise ForbiddenError(ui.gettext("Only the group's moderators may do that."))
    form = {
        "display_name": group.display_name,
        "note": ui.field("note") if from_form else _note_text(group.note),
        "privacy": group.privacy,
        "partner_domains": " ".join(group.partner_domains),
        "moderators_only": group.moderators_only_start_threads,
    }
    if from_form:
        form.update(
            display_name=ui.field("display_name"),
            privacy=ui.field("privacy", group.privacy),
            partner_domains=ui.field("partner_domains"),
            moderators_only=ui.field("moderators_only") == "on",
        )
    return ui.render(
        "ui/groups_edit.html",
        ui.gettext("Edit %(name)s", name=group.display_name or group.username),
        status,
        group=group,
        form=form,
        privacies=privacy_texts(ui),
        error=error,
    )


def _note_text(html: str) -> str:
    """The group's description as plain text, paragraph by paragraph, for the form."""
    import re
    from html import unescape

    paragraphs = re.findall(r"<p>(.*?)</p>", html, flags=re.S)
    return "\n\n".join(unescape(p) for p in paragraphs) if paragraphs else unescape(html)


async def edit(ui: Ui) -> Response:
    target = group_id(ui)
    privacy = ui.field("privacy")
    change = GroupChange(
        display_name=ui.field("display_name"),
        note=ui.field("note"),
        privacy=privacy if privacy in groups.PRIVACIES else None,
        partner_domains=partner_domains(ui),
        moderators_only_start_threads=ui.field("moderators_only") == "on",
    )
    try:
        await groups.update_group(ui.runtime, ui.account_id, target, change)
    except KollegiumError as exc:
        if exc.status == 403:
            raise
        return await edit_form(ui, ui.gettext(exc.message), exc.status, from_form=True)
    return ui.redirect(f"/groups/{target}?notice=saved")
