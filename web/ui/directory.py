"""The staff directory: find colleagues by name, title, workplace or topic, and by
department (a förvaltning with its units); each shown as a card with their contact details."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.responses import Response

from fediverse import departments, directory, staff_profiles
from fediverse.departments import Department
from fediverse.directory import DirectoryQuery
from fediverse.errors import KollegiumError
from fediverse.staff_profiles import NO_DEPARTMENT, StaffChange
from web.mastodon.serializers.accounts import serialize_account
from web.ui.pages import Ui
from web.ui.views import query_id

PAGE_SIZE = 40
MAX_QUERY = 200


@dataclass(slots=True)
class Node:
    """A department with its units, for the tree of filters."""

    department: Department
    units: list[Node] = field(default_factory=list)


def department_tree(found: list[Department]) -> list[Node]:
    nodes = {d.id: Node(d) for d in found}
    roots: list[Node] = []
    for d in found:  # ordered by path, so a parent comes before its units
        parent = nodes.get(d.parent_id) if d.parent_id is not None else None
        (parent.units if parent is not None else roots).append(nodes[d.id])
    return roots


def _offset(ui: Ui) -> int:
    raw = ui.request.query_params.get("offset", "")
    return min(int(raw), 10_000) if raw.isdigit() and len(raw) <= 6 else 0


async def index(ui: Ui) -> Response:
    q = ui.request.query_params.get("q", "").strip()[:MAX_QUERY]
    every = await departments.list_departments(ui.runtime.store)
    chosen_id = query_id(ui, "department")
    chosen = next((d for d in every if d.id == chosen_id), None)
    offset = _offset(ui)
    query = DirectoryQuery(
        offset=offset,
        limit=PAGE_SIZE,
        order="active",
        local=True,
        department_id=chosen.id if chosen else None,
        q=q or None,
    )
    rows = await directory.staff_directory(ui.runtime.store, query)
    people = [serialize_account(row, ui.settings.base_url) for row in rows]
    more = None
    if len(rows) == PAGE_SIZE:
        more = _url(q, chosen, offset + PAGE_SIZE)
    return ui.render(
        "ui/directory.html",
        ui.gettext("Staff directory"),
        q=q,
        departments=every,
        tree=department_tree(every),
        chosen=chosen,
        people=people,
        more=more,
        url=lambda d: _url(q, d, 0),
    )


async def my_entry(ui: Ui, error: str | None = None, status: int = 200) -> Response:
    """The viewer's own entry in the directory: the form, filled with what is stored."""
    row = await directory.account_by_id(ui.runtime.store, ui.account_id)
    entry = serialize_account(row, ui.settings.base_url)["kollegium"]
    if ui.form is not None:  # the form again, as it was sent, with what was wrong
        entry = {**entry, **_sent(ui)}
    return ui.render(
        "ui/directory_me.html",
        ui.gettext("Your entry in the staff directory"),
        status,
        entry=entry,
        department_id=str(row["department_id"] or ""),
        departments=await departments.list_departments(ui.runtime.store),
        error=error,
        saved=ui.request.query_params.get("saved") == "1",
    )


def _items(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]


def _sent(ui: Ui) -> dict[str, object]:
    return {
        "title": ui.field("title"),
        "phone": ui.field("phone"),
        "workplace": ui.field("workplace"),
        "languages": _items(ui.field("languages")),
        "ask_me_about": _items(ui.field("ask_me_about")),
    }


async def save_my_entry(ui: Ui) -> Response:
    raw = ui.field("department_id")
    department = int(raw) if raw.isdigit() and len(raw) <= 19 else NO_DEPARTMENT
    change = StaffChange(
        title=ui.field("title").strip(),
        department_id=department,
        phone=ui.field("phone").strip(),
        workplace=ui.field("workplace").strip(),
        languages=_items(ui.field("languages")),
        ask_me_about=_items(ui.field("ask_me_about")),
    )
    try:
        await staff_profiles.update_staff_profile(ui.runtime.store, ui.account_id, change)
    except KollegiumError as exc:
        return await my_entry(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect("/directory/me?saved=1")


def _url(q: str, department: Department | None, offset: int) -> str:
    from urllib.parse import urlencode

    params: dict[str, str] = {}
    if q:
        params["q"] = q
    if department is not None:
        params["department"] = str(department.id)
    if offset:
        params["offset"] = str(offset)
    return "/directory" + (f"?{urlencode(params)}" if params else "")
