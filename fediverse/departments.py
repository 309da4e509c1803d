"""The department tree: förvaltningar and their units, managed by admins, chosen by staff.

A municipality has tens to a few hundred departments, so the tree is read whole and walked
in memory; every change is one transaction with its audit log entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from databases.core import Connection
from sqlalchemy import delete, func, insert, select, update

from fediverse import audit
from fediverse.errors import ConflictError, NotFoundError, ValidationError
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, departments

SEPARATOR = "/"
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class Department:
    id: int
    parent_id: int | None
    name: str
    path: str  # names from the root down, joined by "/"
    created_at: int


@dataclass(frozen=True, slots=True)
class Editor:
    """Who changes something, for the audit log: a handle (or ``cli``) and the account."""

    actor: str = "cli"
    account_id: int | None = None


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Validation failed: Name can't be blank")
    if len(name) > MAX_NAME:
        raise ValidationError(f"Validation failed: Name is too long (maximum is {MAX_NAME})")
    if SEPARATOR in name:
        raise ValidationError(f"Validation failed: Name may not contain {SEPARATOR!r}")
    return name


async def _all(conn: Connection) -> dict[int, tuple[int | None, str, int]]:
    rows = await conn.fetch_all(
        select(
            departments.c.id, departments.c.parent_id, departments.c.name, departments.c.created_at
        )
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _path(tree: dict[int, tuple[int | None, str, int]], department_id: int) -> str:
    names: list[str] = []
    current: int | None = department_id
    while current is not None and current in tree and len(names) <= len(tree):
        parent, name, _created = tree[current]
        names.append(name)
        current = parent
    return SEPARATOR.join(reversed(names))


def _build(tree: dict[int, tuple[int | None, str, int]]) -> list[Department]:
    found = [Department(i, p, n, _path(tree, i), c) for i, (p, n, c) in tree.items()]
    return sorted(found, key=lambda d: (d.path.lower(), d.id))


async def list_departments(store: Store) -> list[Department]:
    """Every department, ordered by path (so a unit follows its förvaltning)."""
    async with store.read() as conn:
        return _build(await _all(conn))


async def get_department(store: Store, department_id: int) -> Department:
    async with store.read() as conn:
        return _one(await _all(conn), department_id)


def _one(tree: dict[int, tuple[int | None, str, int]], department_id: int) -> Department:
    if department_id not in tree:
        raise NotFoundError("Record not found")
    parent, name, created = tree[department_id]
    return Department(department_id, parent, name, _path(tree, department_id), created)


def subtree(tree: dict[int, tuple[int | None, str, int]], root: int) -> set[int]:
    """``root`` and every unit below it."""
    children: dict[int | None, list[int]] = {}
    for i, (parent, _name, _created) in tree.items():
        children.setdefault(parent, []).append(i)
    found, todo = set(), [root]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


async def subtree_ids(conn: Connection, root: int) -> set[int]:
    tree = await _all(conn)
    if root not in tree:
        raise NotFoundError("Record not found")
    return subtree(tree, root)


async def _refuse_sibling(
    conn: Connection, parent_id: int | None, name: str, except_id: int | None = None
) -> None:
    query = select(func.count()).where(func.lower(departments.c.name) == name.lower())
    query = query.where(
        departments.c.parent_id.is_(None)
        if parent_id is None
        else departments.c.parent_id == parent_id
    )
    if except_id is not None:
        query = query.where(departments.c.id != except_id)
    if await conn.fetch_val(query):
        raise ConflictError(f"Validation failed: {name!r} exists already at that place")


async def insert_department(
    store: Store, conn: Connection, name: str, parent_id: int | None
) -> int:
    """Insert on ``conn`` (no audit entry: the caller records what it did)."""
    name = check_name(name)
    if parent_id is not None and parent_id not in await _all(conn):
        raise ValidationError("Validation failed: Parent department does not exist")
    await _refuse_sibling(conn, parent_id, name)
    department_id = store.new_id()
    await conn.execute(
        insert(departments).values(
            id=department_id, parent_id=parent_id, name=name, created_at=now_ms()
        )
    )
    return department_id


async def create_department(
    store: Store, name: str, parent_id: int | None = None, *, editor: Editor = Editor()
) -> Department:
    async with store.write() as conn:
        department_id = await insert_department(store, conn, name, parent_id)
        created = _one(await _all(conn), department_id)
        await _audit(store, conn, editor, "department.create", created)
    return created


async def update_department(
    store: Store,
    department_id: int,
    *,
    name: str | None = None,
    parent_id: int | None = None,
    move: bool = False,
    editor: Editor = Editor(),
) -> Department:
    """Rename, and with ``move`` put under ``parent_id`` (None: at the top); never in a loop."""
    async with store.write() as conn:
        tree = await _all(conn)
        current = _one(tree, department_id)
        new_parent = parent_id if move else current.parent_id
        if new_parent is not None and new_parent not in tree:
            raise ValidationError("Validation failed: Parent department does not exist")
        if new_parent is not None and new_parent in subtree(tree, department_id):
            raise ValidationError("Validation failed: A department cannot be inside itself")
        new_name = check_name(name) if name is not None else current.name
        await _refuse_sibling(conn, new_parent, new_name, except_id=department_id)
        await conn.execute(
            update(departments)
            .where(departments.c.id == department_id)
            .values(name=new_name, parent_id=new_parent)
        )
        changed = _one(await _all(conn), department_id)
        await _audit(store, conn, editor, "department.update", changed, was=current.path)
    return changed


async def delete_department(
    store: Store, department_id: int, *, editor: Editor = Editor()
) -> Department:
    """Delete a department without units; its staff keep their accounts, without department."""
    async with store.write() as conn:
        tree = await _all(conn)
        current = _one(tree, department_id)
        if len(subtree(tree, department_id)) > 1:
            raise ConflictError("Validation failed: Remove or move its units first")
        await conn.execute(
            update(accounts)
            .where(accounts.c.department_id == department_id)
            .values(department_id=None)
        )
        await conn.execute(delete(departments).where(departments.c.id == department_id))
        await _audit(store, conn, editor, "department.delete", current)
    return current


async def resolve_path(
    store: Store, conn: Connection, path: str, *, create: bool, editor: Editor = Editor()
) -> int | None:
    """The department at ``"Förvaltning/Unit"``; made (with its parents, each audited) when
    ``create``."""
    parent: int | None = None
    for raw in path.split(SEPARATOR):
        name = check_name(raw)
        tree = await _all(conn)
        found = [i for i, (p, n, _c) in tree.items() if p == parent and n.lower() == name.lower()]
        if found:
            parent = found[0]
        elif create:
            parent = await insert_department(store, conn, name, parent)
            created = _one(await _all(conn), parent)
            await _audit(store, conn, editor, "department.create", created)
        else:
            return None
    return parent


async def _audit(
    store: Store, conn: Connection, editor: Editor, action: str, dept: Department, **extra: str
) -> None:
    await audit.record(
        store,
        conn,
        actor=editor.actor,
        action=action,
        target_type="department",
        target=str(dept.id),
        account_id=editor.account_id,
        data={"path": dept.path, **extra},
    )
