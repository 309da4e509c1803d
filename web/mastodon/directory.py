"""The staff directory: ``GET /api/v1/directory`` and the ``kollegium[...]`` profile params."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import directory
from fediverse.directory import DirectoryQuery
from fediverse.staff_profiles import NO_DEPARTMENT, StaffChange
from web.mastodon.endpoint import Call, api, json
from web.mastodon.params import Params
from web.mastodon.render import accounts_json


def _department(p: Params) -> int | None:
    """An id, or ``""``/``null``/``0`` for "no department"; absent means "leave it"."""
    if not p.has("department_id"):
        return None
    raw = p.raw("department_id")
    if raw is None or raw == "" or raw == 0 or raw == "0":
        return NO_DEPARTMENT
    return p.id("department_id")


def _list(p: Params, name: str) -> list[str] | None:
    if not p.has(name):
        return None
    if isinstance(p.raw(name), str):  # a form sends one comma-separated value as well
        return [part for part in str(p.raw(name)).split(",")]
    return p.str_list(name, max_items=50)


def staff_change(p: Params) -> StaffChange:
    """``kollegium[title]``, ``kollegium[department_id]``, ``kollegium[phone]``,
    ``kollegium[workplace]``, ``kollegium[languages][]`` and ``kollegium[ask_me_about][]``."""
    return StaffChange(
        title=p.text("title", max_length=1000),
        department_id=_department(p),
        phone=p.text("phone", max_length=1000),
        workplace=p.text("workplace", max_length=1000),
        languages=_list(p, "languages"),
        ask_me_about=_list(p, "ask_me_about"),
    )


@api("read:accounts")
async def index(call: Call) -> Response:
    """Mastodon's is public; ours needs a signed-in user, since the directory (phone numbers,
    workplaces) is internal, as everything on Kollegium is by default."""
    p = call.params
    query = DirectoryQuery(
        offset=p.integer("offset", 0),
        limit=max(1, min(p.integer("limit", 40), 80)),
        order=p.text("order", "active", max_length=20),
        local=bool(p.flag("local", False)),
        department_id=p.id("department") or p.id("department_id"),
        q=p.text("q", max_length=200),
    )
    return json(accounts_json(call, await directory.staff_directory(call.store, query)))
