"""Groups: browse and create them, join or ask to join, leave, read and post to a group.

A group's privacy is explained in plain words wherever it is chosen or shown. Posting to a
group is posting a status that mentions it (``fediverse.groups_posting`` decides the rest).
Moderation (members, join requests, bans, removing posts, editing) is in ``groups_moderation``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from starlette.responses import Response

from activitypub.errors import ActivityPubError
from fediverse import directory, groups, statuses
from fediverse.errors import ForbiddenError, KollegiumError, NotFoundError
from fediverse.groups import Group, NewGroup
from fediverse.hydrate import Row
from fediverse.statuses import NewStatus
from web.ui.pages import Ui
from web.ui.views import older_url, page_query, status_dicts

PRIVACIES = groups.PRIVACIES


def privacy_texts(ui: Ui) -> dict[str, tuple[str, str]]:
    """Each privacy's name and what it means, in the reader's language."""
    _ = ui.gettext
    return {
        "internal": (
            _("Internal"),
            _("Only staff of our municipality can join and read. Nothing leaves our server."),
        ),
        "closed": (
            _("Closed"),
            _(
                "Colleagues here and in partner municipalities can ask to join; the group's "
                "moderators approve each request. Only members read the posts."
            ),
        ),
        "open": (
            _("Open"),
            _("Colleagues here and in partner municipalities can join at once and read the posts."),
        ),
    }


def group_id(ui: Ui) -> int:
    raw = str(ui.request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("That group does not exist."))
    return int(raw)


def handle(group: Group) -> str:
    return group.username if group.is_local else f"{group.username}@{group.domain}"


async def index(ui: Ui, not_found: str = "", status: int = 200) -> Response:
    """The viewer's groups, then every group of the municipality."""
    store = ui.runtime.store
    mine = await groups.list_groups(store, ui.account_id, mine=True, limit=80)
    every = await groups.list_groups(store, ui.account_id, mine=False, limit=80)
    states = await groups.viewer_states(store, ui.account_id, [g.id for g in mine + every])
    mine_ids = {g.id for g in mine}
    return ui.render(
        "ui/groups.html",
        ui.gettext("Groups"),
        status,
        not_found=not_found,
        mine=mine,
        others=[g for g in every if g.id not in mine_ids],
        states=states,
        privacies=privacy_texts(ui),
        created=ui.request.query_params.get("created") == "1",
    )


async def _found_group(ui: Ui, handle_text: str) -> int | None:
    """The group named ``name`` or ``name@domain``: ours, or fetched from another
    municipality's server (when the federation policy allows it); None if there is none."""
    from web.activitypub.common import federation_of

    name, _, domain = handle_text.strip().lstrip("@").partition("@")
    try:
        if not domain or domain == ui.settings.domain:
            row = await directory.lookup(ui.runtime.store, name, ui.settings.domain)
            account_id = int(row["id"])
        else:
            account_id = (await federation_of(ui.request).actors.by_acct(f"{name}@{domain}")).id
        return (await groups.get_group(ui.runtime.store, account_id)).id
    except (KollegiumError, ActivityPubError):  # unknown, refused, unreachable, malformed
        return None


async def find(ui: Ui) -> Response:
    """Open a group by its address, e.g. ``forskollarare@kommun-b.se``."""
    wanted = ui.request.query_params.get("address", "")[:300]
    found = await _found_group(ui, wanted) if wanted.strip() else None
    if found is not None:
        return ui.redirect(f"/groups/{found}")
    return await index(ui, not_found=wanted, status=404 if wanted.strip() else 200)


def _new_form(ui: Ui, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    return ui.render(
        "ui/groups_new.html",
        ui.gettext("Create a group"),
        status,
        privacies=privacy_texts(ui),
        form={
            "username": ui.field("username"),
            "display_name": ui.field("display_name"),
            "note": ui.field("note"),
            "privacy": ui.field("privacy", "internal"),
            "partner_domains": ui.field("partner_domains"),
            "moderators_only": ui.field("moderators_only") == "on",
        },
        errors=errors or {},
    )


async def new(ui: Ui) -> Response:
    return _new_form(ui)


def partner_domains(ui: Ui) -> tuple[str, ...]:
    raw = ui.field("partner_domains").replace(",", " ").split()
    return tuple(d for d in raw if d)


async def create(ui: Ui) -> Response:
    privacy = ui.field("privacy")
    if privacy not in PRIVACIES:
        return _new_form(ui, {"privacy": ui.gettext("Choose who can join the group.")}, 422)
    new_group = NewGroup(
        username=ui.field("username").strip().lower(),
        display_name=ui.field("display_name").strip(),
        note=ui.field("note"),
        privacy=privacy,
        partner_domains=partner_domains(ui),
        moderators_only_start_threads=ui.field("moderators_only") == "on",
    )
    try:
        created = await groups.create_group(ui.runtime, ui.account_id, new_group)
    except KollegiumError as exc:
        return _new_form(ui, {"username": ui.gettext(exc.message)}, exc.status)
    return ui.redirect(f"/groups/{created}?created=1")


async def _timeline(ui: Ui, group: Group) -> tuple[list[dict[str, Any]], str | None, bool]:
    """The group's posts, and whether the viewer may read them at all."""
    try:
        rows = await groups.timeline(ui.runtime.store, ui.account_id, group.id, page_query(ui))
    except ForbiddenError:
        return [], None, False
    posts = await status_dicts(ui, rows)
    for post in posts:  # who reads it: the group (not "followers", as its visibility says)
        post["group_name"] = group.display_name or group.username
    return posts, older_url(ui, rows), True


async def name_group_posts(ui: Ui, rows: Sequence[Row], posts: list[dict[str, Any]]) -> None:
    """Mark the posts of a timeline that went to a group with the group's name, which the
    audience label shows (one query, and none when no post on the page is a group's)."""
    group_of = {int(r["id"]): int(r["group_id"]) for r in rows if r["group_id"] is not None}
    if not group_of:
        return
    async with ui.runtime.store.read() as conn:
        found = await groups.groups_among(conn, sorted(set(group_of.values())))
    names = {g.id: g.display_name or g.username for g in found}
    for post in posts:
        name = names.get(group_of.get(int(post["id"]), 0))
        if name is not None:
            post["group_name"] = name


async def show(ui: Ui, draft_error: str | None = None, status: int = 200) -> Response:
    store = ui.runtime.store
    group = await groups.get_group(store, group_id(ui))
    state = (await groups.viewer_states(store, ui.account_id, [group.id])).get(group.id)
    posts, older, readable = await _timeline(ui, group)
    return ui.render(
        "ui/groups_show.html",
        group.display_name or group.username,
        status,
        group=group,
        handle=handle(group),
        state=state,
        moderator=state in ("moderator", "admin"),
        privacy=privacy_texts(ui).get(group.privacy),
        statuses=posts,
        older=older,
        readable=readable,
        draft_text=ui.field("status"),
        draft_error=draft_error,
        next=f"/groups/{group.id}",
        notice=ui.request.query_params.get("notice", ""),
    )


async def join(ui: Ui) -> Response:
    target = group_id(ui)
    outcome = await groups.join(ui.runtime.store, ui.account_id, target)
    return ui.redirect(f"/groups/{target}?notice={'joined' if outcome == 'member' else 'asked'}")


async def leave(ui: Ui) -> Response:
    target = group_id(ui)
    await groups.leave(ui.runtime.store, ui.account_id, target)
    return ui.redirect(f"/groups/{target}?notice=left")


def group_post(group: Group, text: str, spoiler_text: str) -> NewStatus:
    """A post to ``group``: a status that mentions it (once), which the group passes on."""
    return to_group(
        group, NewStatus(text=text, spoiler_text=spoiler_text, sensitive=bool(spoiler_text) or None)
    )


def to_group(group: Group, new: NewStatus) -> NewStatus:
    """``new`` addressed to ``group``: it mentions the group, and the group decides where it
    goes (local_only None: an internal group's posts never leave)."""
    mention = f"@{handle(group)}"
    text = new.text
    if mention.lower() not in text.lower().split():
        text = f"{mention} {text}"
    return replace(new, text=text, visibility="public", local_only=None)


GROUP_AUDIENCE = "group:"


async def composer_groups(ui: Ui) -> list[tuple[str, str]]:
    """The composer's group choices: (audience value, group name) of the viewer's groups."""
    mine = await groups.list_groups(ui.runtime.store, ui.account_id, mine=True, limit=80)
    return [(f"{GROUP_AUDIENCE}{g.id}", g.display_name or g.username) for g in mine]


async def for_chosen_group(ui: Ui, audience: str, new: NewStatus) -> NewStatus:
    """``new`` sent to the group the composer's audience names (``group:<id>``)."""
    raw = audience.removeprefix(GROUP_AUDIENCE)
    if not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("That group does not exist."))
    return to_group(await groups.get_group(ui.runtime.store, int(raw)), new)


async def post(ui: Ui) -> Response:
    store = ui.runtime.store
    group = await groups.get_group(store, group_id(ui))
    text = ui.field("status").strip()
    if not text:
        return await show(ui, ui.gettext("Write something before you post."), 422)
    try:
        status_id = await statuses.create_status(
            ui.runtime, ui.account_id, group_post(group, text, ui.field("spoiler_text").strip())
        )
    except KollegiumError as exc:
        return await show(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect(f"/groups/{group.id}#s-{status_id}")
