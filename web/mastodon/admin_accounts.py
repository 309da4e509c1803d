"""Mastodon's admin accounts API (v1 and v2 lists, show, action and its undoing), and
Kollegium's ``DELETE /api/v1/admin/statuses/:id`` for moderators."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import moderation
from fediverse.errors import ForbiddenError, NotFoundError
from fediverse.moderation import AccountAction, AccountFilter
from web.mastodon.admin import acting, admin_accounts_json, require_staff
from web.mastodon.endpoint import Api, Call, api, json
from web.mastodon.pagination import link_header, page_query

READ, WRITE = "admin:read:accounts", "admin:write:accounts"
V1_STATUSES = ("active", "pending", "disabled", "silenced", "suspended", "sensitized")


async def _listing(call: Call, found: AccountFilter) -> Response:
    require_staff(call)
    rows = await moderation.admin_accounts(
        call.store, found, page_query(call, default=100, maximum=200)
    )
    entities = await admin_accounts_json(call, [r["id"] for r in rows])
    ids = [r["id"] for r in rows]
    return json([entities[i] for i in ids if i in entities], headers=link_header(call, ids))


def _v1_status(call: Call) -> str | None:
    chosen = [name for name in V1_STATUSES if call.params.flag(name, False)]
    return chosen[0] if chosen else None


def _v1_origin(call: Call) -> str | None:
    if call.params.flag("local", False):
        return "local"
    return "remote" if call.params.flag("remote", False) else None


def _names(call: Call) -> dict[str, str | None]:
    p = call.params
    return {
        name: p.text(name, max_length=320)
        for name in ("username", "display_name", "by_domain", "email")
    }


@api(READ)
async def index_v1(call: Call) -> Response:
    found = AccountFilter(
        origin=_v1_origin(call),
        status=_v1_status(call),
        staff=bool(call.params.flag("staff", False)),
        **_names(call),
    )
    return await _listing(call, found)


@api(READ)
async def index_v2(call: Call) -> Response:
    p = call.params
    found = AccountFilter(
        origin=p.text("origin", max_length=20),
        status=p.text("status", max_length=20),
        staff=p.text("permissions", max_length=20) == "staff",
        **_names(call),
    )
    return await _listing(call, found)


async def _one(call: Call, account_id: int) -> Response:
    entities = await admin_accounts_json(call, [account_id])
    if account_id not in entities:
        raise NotFoundError("Record not found")
    return json(entities[account_id])


@api(READ)
async def show(call: Call) -> Response:
    require_staff(call)
    await moderation.admin_account(call.store, call.path_id())
    return await _one(call, call.path_id())


@api(WRITE)
async def action(call: Call) -> Response:
    require_staff(call)
    p = call.params
    taken = AccountAction(
        type=p.required_str("type", max_length=20),
        report_id=p.id("report_id"),
        text=p.text("text", "", max_length=5000),
    )
    await moderation.take_action(call.store, call.path_id(), taken, await acting(call))
    return json({})


async def _undo(call: Call, kind: str) -> Response:
    require_staff(call)
    await moderation.undo_action(call.store, call.path_id(), kind, await acting(call))
    return await _one(call, call.path_id())


@api(WRITE)
async def enable(call: Call) -> Response:
    return await _undo(call, "enable")


@api(WRITE)
async def unsensitive(call: Call) -> Response:
    return await _undo(call, "unsensitive")


@api(WRITE)
async def unsilence(call: Call) -> Response:
    return await _undo(call, "unsilence")


@api(WRITE)
async def unsuspend(call: Call) -> Response:
    return await _undo(call, "unsuspend")


@api(WRITE)
async def approve(call: Call) -> Response:
    """Kollegium has no sign-up queue (administrators create staff accounts), so every local
    account is approved already: approving one shows it, as Mastodon does for an approved
    account; a remote account has nothing to approve."""
    require_staff(call)
    row = await moderation.admin_account(call.store, call.path_id())
    if row["domain"] is not None:
        raise ForbiddenError("This action is not allowed")
    return await _one(call, call.path_id())


@api(WRITE)
async def reject(call: Call) -> Response:
    """Nothing is ever pending, so there is nothing to reject (suspend an account instead)."""
    require_staff(call)
    await moderation.admin_account(call.store, call.path_id())
    raise ForbiddenError("This action is not allowed: the account is not pending approval")


UNDOING: dict[str, Api] = {
    "approve": approve,
    "reject": reject,
    "enable": enable,
    "unsensitive": unsensitive,
    "unsilence": unsilence,
    "unsuspend": unsuspend,
}


@api(WRITE)
async def remove_status(call: Call) -> Response:
    require_staff(call)
    removed = await moderation.remove_statuses(call.runtime, [call.path_id()], await acting(call))
    if not removed:
        raise NotFoundError("Record not found")
    return json({})
