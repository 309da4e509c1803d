"""Bulk import of staff from a CSV file: create or update local accounts, all or nothing.

Every row is checked first; any invalid row (or two rows for one person that disagree)
means nothing is written, and every problem is reported by line. A dry run computes the
same plan inside the same transaction and rolls it back. Columns absent from the header
leave those fields as they are; a present but empty cell clears the field (an empty
``role`` or ``email`` leaves it as it is). Accounts are made without a password: they sign
in by single sign-on (``users.password_hash`` NULL) until an admin sets one.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import func, insert, select, update

from fediverse import audit
from fediverse.accounts import ROLES, NewUser, check_new_user, new_key_columns
from fediverse.departments import Editor, resolve_path
from fediverse.errors import KollegiumError, ValidationError
from fediverse.ids import now_ms
from fediverse.outgoing import federate
from fediverse.staff_profiles import StaffChange, check_staff_change
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, users
from fediverse.urls import actor_urls

COLUMNS = (
    "username",
    "email",
    "display_name",
    "title",
    "department",
    "phone",
    "workplace",
    "languages",
    "ask_me_about",
    "role",
)
LIST_SEPARATOR = ";"
MAX_ROWS = 20_000
PARALLEL_KEYS = 20  # from this many new accounts on, keys are made in a process pool
PROFILE = ("display_name", "title", "phone", "workplace")


@dataclass(frozen=True, slots=True)
class StaffRow:
    line: int
    username: str
    values: dict[str, str]  # the row's cells, by column, for the columns in the header


@dataclass
class ImportReport:
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)  # username, columns
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # line, message
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(KollegiumError):
    """The file has invalid rows; ``report`` lists them. Nothing was written."""

    status = 422

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} invalid row(s); nothing was written")
        self.report = report


def read_csv(text: str) -> tuple[list[StaffRow], list[tuple[int, str]]]:
    """Rows by line number (the header is line 1), and problems with the file itself."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    unknown = sorted(set(header) - set(COLUMNS))
    if "username" not in header:
        return [], [(1, "the header must name a username column")]
    if unknown:
        return [], [(1, f"unknown column(s): {', '.join(unknown)}")]
    reader.fieldnames = header
    rows: list[StaffRow] = []
    errors: list[tuple[int, str]] = []
    for record in reader:
        line = reader.line_num
        if None in record:
            errors.append((line, "more cells than the header has columns"))
            continue
        if len(rows) >= MAX_ROWS:
            return rows, [(line, f"at most {MAX_ROWS} rows per file")]
        values = {k: (v or "").strip() for k, v in record.items()}
        if not any(values.values()):
            continue  # a blank line
        rows.append(StaffRow(line, values.get("username", "").lower(), values))
    return rows, errors


def _items(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(LIST_SEPARATOR) if part.strip()]


def check_row(row: StaffRow) -> None:
    """Raise ValidationError for the row's first problem."""
    v = row.values
    email = v.get("email") or "placeholder@example.com"  # checked only when present
    role = v.get("role") or "user"
    check_new_user(NewUser(row.username, email, None, role, v.get("display_name", "")))
    if len(v.get("display_name", "")) > 30:
        raise ValidationError("display_name is too long (maximum is 30 characters)")
    check_staff_change(_staff_change(row, None))


def _staff_change(row: StaffRow, department_id: int | None) -> StaffChange:
    v = row.values
    return StaffChange(
        title=v.get("title"),
        department_id=department_id,
        phone=v.get("phone"),
        workplace=v.get("workplace"),
        languages=_items(v["languages"]) if "languages" in v else None,
        ask_me_about=_items(v["ask_me_about"]) if "ask_me_about" in v else None,
    )


def find_duplicates(rows: list[StaffRow], report: ImportReport) -> list[StaffRow]:
    """Rows for one username or e-mail address: identical repeats are skipped with a
    warning, disagreeing ones are errors. Returns the rows to import."""
    kept: list[StaffRow] = []
    seen: dict[tuple[str, str], StaffRow] = {}
    for row in rows:
        keys = [("username", row.username)]
        if row.values.get("email"):
            keys.append(("email", row.values["email"].lower()))
        first = next((seen[k] for k in keys if k in seen), None)
        if first is None:
            seen.update({k: row for k in keys})
            kept.append(row)
        elif first.values == row.values:
            report.warnings.append((row.line, f"repeats line {first.line}; skipped"))
        else:
            what = "username" if first.username == row.username else "e-mail address"
            report.errors.append((row.line, f"same {what} as line {first.line}, other values"))
    return kept


async def import_staff(
    store: Store,
    base_url: str,
    text: str,
    *,
    dry_run: bool,
    create_departments: bool = False,
    actor: str = "cli",
    make_keys: Callable[[], dict[str, str]] | None = None,
) -> ImportReport:
    """Check every row, then create or update in one transaction (rolled back on a dry run
    or any error). Raises ImportRefused, with the report, when a row is invalid."""
    report = ImportReport(dry_run=dry_run)
    rows, problems = read_csv(text)
    report.errors.extend(problems)
    for row in rows:
        try:
            check_row(row)
        except ValidationError as exc:
            report.errors.append((row.line, exc.message))
    rows = find_duplicates(rows, report)
    if report.errors:
        raise ImportRefused(_sorted(report))
    plan = _Plan(store, base_url, report, create_departments, make_keys)
    plan.editor = Editor(actor)
    await plan.prepare_keys(rows)
    try:
        async with store.write() as conn:
            await plan.load(conn, rows)
            for row in rows:
                await plan.apply(conn, row)
            if report.errors:
                raise ImportRefused(_sorted(report))
            await _record(store, conn, report, actor)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run."""


def _sorted(report: ImportReport) -> ImportReport:
    report.errors.sort()
    return report


async def _record(store: Store, conn: Connection, report: ImportReport, actor: str) -> None:
    await audit.record(
        store,
        conn,
        actor=actor,
        action="directory.import",
        target_type="accounts",
        data={
            "created": report.created[:500],
            "updated": [name for name, _cols in report.updated][:500],
            "unchanged": len(report.unchanged),
        },
    )


class _Plan:
    """Creates and updates rows on one connection, noting each outcome in the report."""

    def __init__(
        self,
        store: Store,
        base_url: str,
        report: ImportReport,
        create_departments: bool,
        make_keys: Callable[[], dict[str, str]] | None,
    ) -> None:
        self.store = store
        self.base_url = base_url
        self.report = report
        self.create_departments = create_departments
        self.make_keys = make_keys
        self.keys: dict[str, dict[str, str]] = {}
        self.editor = Editor()
        self.paths: dict[str, int] = {}  # department paths resolved so far, lower-cased
        self.existing: dict[str, dict[str, Any]] = {}  # the file's accounts that exist
        self.emails: dict[str, int] = {}  # the file's e-mail addresses in use: user id

    async def load(self, conn: Connection, rows: list[StaffRow]) -> None:
        """What the file's rows touch, in a few queries rather than a few per row."""
        names = [r.username for r in rows]
        emails = [r.values["email"].lower() for r in rows if r.values.get("email")]
        query = select(accounts, users.c.email, users.c.role, users.c.id.label("user_id"))
        query = query.select_from(accounts.outerjoin(users, users.c.account_id == accounts.c.id))
        for chunk in _chunks(names):
            found = await conn.fetch_all(
                query.where(func.lower(accounts.c.username).in_(chunk), accounts.c.domain.is_(None))
            )
            self.existing.update({r._mapping["username"].lower(): dict(r._mapping) for r in found})
        for chunk in _chunks(emails):
            found = await conn.fetch_all(
                select(users.c.email, users.c.id).where(users.c.email.in_(chunk))
            )
            self.emails.update({r[0]: r[1] for r in found})

    async def prepare_keys(self, rows: list[StaffRow]) -> None:
        """Keys for the accounts to be made, outside the transaction: generation is slow."""
        names = [r.username for r in rows]
        existing: set[str] = set()
        async with self.store.read() as conn:
            for chunk in _chunks(names):
                found = await conn.fetch_all(
                    select(func.lower(accounts.c.username)).where(
                        func.lower(accounts.c.username).in_(chunk), accounts.c.domain.is_(None)
                    )
                )
                existing.update(r[0] for r in found)
        wanted = [] if self.report.dry_run else [n for n in names if n not in existing]
        if self.make_keys is not None:
            self.keys = {name: self.make_keys() for name in wanted}
        else:
            made = await asyncio.to_thread(_many_keys, len(wanted))
            self.keys = dict(zip(wanted, made, strict=True))

    async def apply(self, conn: Connection, row: StaffRow) -> None:
        try:
            department_id = await self._department(conn, row)
            existing = self.existing.get(row.username)
            if existing is None:
                await self._create(conn, row, department_id)
            else:
                await self._update(conn, row, department_id, existing)
        except ValidationError as exc:
            self.report.errors.append((row.line, exc.message))

    async def _department(self, conn: Connection, row: StaffRow) -> int | None:
        """None: leave as it is; 0: no department; else the department's id."""
        if "department" not in row.values:
            return None
        path = row.values["department"]
        if not path:
            return 0
        found = self.paths.get(path.lower())
        if found is None:
            found = await resolve_path(
                self.store, conn, path, create=self.create_departments, editor=self.editor
            )
        if found is not None:
            self.paths[path.lower()] = found
        if found is None:
            raise ValidationError(
                f"no department {path!r} (create it first, or import with --create-departments)"
            )
        return found

    def _email_taken(self, email: str, user_id: int | None) -> bool:
        found = self.emails.get(email)
        return found is not None and found != user_id

    async def _create(self, conn: Connection, row: StaffRow, department_id: int | None) -> None:
        v = row.values
        if not v.get("email"):
            raise ValidationError("a new account needs an e-mail address")
        new = check_new_user(
            NewUser(
                row.username, v["email"], None, v.get("role") or "user", v.get("display_name", "")
            )
        )
        if self._email_taken(new.email, None):
            raise ValidationError(f"e-mail address {new.email!r} is in use")
        account_id, now = self.store.new_id(), now_ms()
        columns = _account_columns(row, department_id)
        keys = self.keys.get(row.username) or {}
        await conn.execute(
            insert(accounts).values(
                id=account_id,
                username=new.username,
                domain=None,
                created_at=now,
                updated_at=now,
                **actor_urls(self.base_url, new.username),
                **keys,
                **columns,
            )
        )
        user = _user_values(self.store, account_id, new)
        await conn.execute(insert(users).values(**user))
        self.emails[new.email] = user["id"]
        self.report.created.append(new.username)

    async def _update(
        self, conn: Connection, row: StaffRow, department_id: int | None, existing: dict[str, Any]
    ) -> None:
        wanted = _account_columns(row, department_id)
        changed = {k: v for k, v in wanted.items() if existing.get(k) != v}
        user_changes = await self._user_changes(conn, row, existing)
        if not changed and not user_changes:
            self.report.unchanged.append(row.username)
            return
        if changed:
            await conn.execute(
                update(accounts)
                .where(accounts.c.id == existing["id"])
                .values(updated_at=now_ms(), **changed)
            )
            await federate(self.store, conn, "actor.update", account_id=existing["id"])
        if user_changes:
            await conn.execute(
                update(users).where(users.c.id == existing["user_id"]).values(**user_changes)
            )
        self.report.updated.append((row.username, sorted([*changed, *user_changes])))

    async def _user_changes(
        self, conn: Connection, row: StaffRow, existing: dict[str, Any]
    ) -> dict[str, Any]:
        if existing["user_id"] is None:
            raise ValidationError(f"{row.username!r} is not a member of staff")
        changes: dict[str, Any] = {}
        email = (row.values.get("email") or "").lower()
        if email and email != existing["email"]:
            email = check_new_user(NewUser(row.username, email, None)).email
            if self._email_taken(email, existing["user_id"]):
                raise ValidationError(f"e-mail address {email!r} is in use")
            changes["email"] = email
            self.emails.pop(existing["email"], None)
            self.emails[email] = existing["user_id"]
        role = row.values.get("role")
        if role and role != existing["role"]:
            if role not in ROLES:
                raise ValidationError(f"role must be one of {', '.join(ROLES)}")
            changes["role"] = role
        return changes


def _many_keys(count: int) -> list[dict[str, str]]:
    """Keys for ``count`` accounts, on every core: an RSA key takes about 0.1 s to make."""
    if count < PARALLEL_KEYS:
        return [new_key_columns() for _ in range(count)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(_one_key, range(count), chunksize=16))


def _one_key(_index: int) -> dict[str, str]:
    return new_key_columns()


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _account_columns(row: StaffRow, department_id: int | None) -> dict[str, Any]:
    v = row.values
    columns: dict[str, Any] = {name: v[name] for name in PROFILE if name in v}
    staff = check_staff_change(_staff_change(row, department_id))
    for name in ("languages", "ask_me_about"):
        if getattr(staff, name) is not None:
            columns[name] = orjson.dumps(getattr(staff, name)).decode()
    if department_id is not None:
        columns["department_id"] = department_id or None
    return columns


def _user_values(store: Store, account_id: int, new: NewUser) -> dict[str, Any]:
    now = now_ms()
    return {
        "id": store.new_id(),
        "account_id": account_id,
        "email": new.email,
        "password_hash": None,
        "role": new.role,
        "locale": new.locale,
        "created_at": now,
        "confirmed_at": now,
    }
