"""Filters (Mastodon's v2): keywords and statuses a user does not want to see, per context,
with a warning or hidden; and matching statuses against them.

A filter matches a status by any of its keywords (as a whole word, or anywhere) in the
status's text, content warning or media descriptions, or by naming the status itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import delete, func, insert, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.events import Event
from fediverse.hydrate import Row
from fediverse.ids import now_ms
from fediverse.rawsql import Plan, Query, Raw, select_list
from fediverse.storage.database import Store
from fediverse.storage.tables import filter_keywords, filter_statuses, filters, statuses
from fediverse.visibility import can_see

CONTEXTS = ("home", "notifications", "public", "thread", "account")
ACTIONS = ("warn", "hide")
MAX_FILTERS = 100
MAX_KEYWORDS = 100
MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class FilterChange:
    """What a client may set on a filter; None leaves a field as it is."""

    title: str | None = None
    context: tuple[str, ...] | None = None
    action: str | None = None
    expires_in: int | None = None  # seconds from now; 0 or less: never
    clear_expiry: bool = False
    keywords: tuple[KeywordChange, ...] = ()


@dataclass(frozen=True, slots=True)
class KeywordChange:
    keyword: str | None = None
    whole_word: bool | None = None
    id: int | None = None
    destroy: bool = False


@dataclass(slots=True)
class Filter:
    """A filter with its keywords and statuses, loaded together."""

    row: Row
    keywords: list[Row] = field(default_factory=list)
    statuses: list[Row] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def context(self) -> list[str]:
        return list(orjson.loads(self.row["context"]))

    @property
    def action(self) -> str:
        return str(self.row["action"])


def _check(change: FilterChange, *, creating: bool) -> None:
    if creating and not (change.title or "").strip():
        raise ValidationError("Validation failed: Title can't be blank")
    if change.title is not None and len(change.title) > MAX_TEXT:
        raise ValidationError(f"Validation failed: Title is too long (at most {MAX_TEXT})")
    if creating and not change.context:
        raise ValidationError("Validation failed: Context can't be blank")
    if change.context is not None:
        if not change.context:
            raise ValidationError("Validation failed: Context can't be blank")
        unknown = [c for c in change.context if c not in CONTEXTS]
        if unknown:
            raise ValidationError(f"Validation failed: Context must be among {', '.join(CONTEXTS)}")
    if change.action is not None and change.action not in ACTIONS:
        raise ValidationError(
            f"Validation failed: Filter action must be one of {', '.join(ACTIONS)}"
        )
    if len(change.keywords) > MAX_KEYWORDS:
        raise ValidationError(f"Validation failed: at most {MAX_KEYWORDS} keywords")
    for keyword in change.keywords:
        _check_keyword(keyword, creating=keyword.id is None and not keyword.destroy)


def _check_keyword(keyword: KeywordChange, *, creating: bool) -> None:
    if creating and not (keyword.keyword or "").strip():
        raise ValidationError("Validation failed: Keyword can't be blank")
    if keyword.keyword is not None and len(keyword.keyword) > MAX_TEXT:
        raise ValidationError(f"Validation failed: Keyword is too long (at most {MAX_TEXT})")


def _expiry(change: FilterChange) -> dict[str, Any]:
    if change.clear_expiry or (change.expires_in is not None and change.expires_in <= 0):
        return {"expires_at": None}
    if change.expires_in is not None:
        return {"expires_at": now_ms() + change.expires_in * 1000}
    return {}


async def _load(conn: Connection, account_id: int, ids: Sequence[int] | None) -> list[Filter]:
    query = select(filters).where(filters.c.account_id == account_id)
    if ids is not None:
        query = query.where(filters.c.id.in_(ids))
    return await _with_parts(conn, query)


async def _load_many(conn: Connection, account_ids: Sequence[int]) -> list[Filter]:
    return await Raw(conn).run(_filters_plan(account_ids))


async def _with_parts(conn: Connection, query: Any) -> list[Filter]:
    """Filters of ``query`` with their keywords and statuses."""
    found = {r._mapping["id"]: Filter(r._mapping) for r in await conn.fetch_all(query)}
    return await Raw(conn).run(_parts_plan(found))


# Every status page a signed-in user reads asks for their filters, so these are written out
# by hand (see rawsql); the SQL is built from our own column names only.
_FILTER_NAMES = [c.name for c in filters.c]
_KEYWORD_NAMES = [c.name for c in filter_keywords.c]
_FSTATUS_NAMES = [c.name for c in filter_statuses.c]
_SQL_FILTERS = (
    f"SELECT {select_list(_FILTER_NAMES, 'f')} FROM filters f "  # noqa: S608
    "WHERE f.account_id IN (?ids)"
)
_SQL_KEYWORDS = (
    f"SELECT {select_list(_KEYWORD_NAMES, 'k')} FROM filter_keywords k "  # noqa: S608
    "WHERE k.filter_id IN (?ids) ORDER BY k.id"
)
_SQL_FSTATUSES = (
    f"SELECT {select_list(_FSTATUS_NAMES, 'fs')} FROM filter_statuses fs "  # noqa: S608
    "WHERE fs.filter_id IN (?ids) ORDER BY fs.id"
)


def _filters_plan(account_ids: Sequence[int]) -> Plan[list[Filter]]:
    rows = yield Query(_SQL_FILTERS, _FILTER_NAMES, (list(account_ids),))
    return (yield from _parts_plan({r["id"]: Filter(r) for r in rows}))


def _parts_plan(found: dict[int, Filter]) -> Plan[list[Filter]]:
    if not found:
        return []
    for row in (yield Query(_SQL_KEYWORDS, _KEYWORD_NAMES, (list(found),))):
        found[row["filter_id"]].keywords.append(row)
    for row in (yield Query(_SQL_FSTATUSES, _FSTATUS_NAMES, (list(found),))):
        found[row["filter_id"]].statuses.append(row)
    return sorted(found.values(), key=lambda f: f.id)


async def all_filters(store: Store, account_id: int) -> list[Filter]:
    async with store.read() as conn:
        return await _load(conn, account_id, None)


async def get_filter(store: Store, account_id: int, filter_id: int) -> Filter:
    """One of the user's filters; someone else's is a 404."""
    async with store.read() as conn:
        found = await _load(conn, account_id, [filter_id])
    if not found:
        raise NotFoundError("Record not found")
    return found[0]


def _changed(store: Store, conn: Connection, account_id: int) -> None:
    """Tell the user's streams, as Mastodon does, so apps fetch their filters again."""
    store.publish_after_commit(conn, Event(f"user:{account_id}", "filters_changed", {}))


async def create_filter(store: Store, account_id: int, change: FilterChange) -> Filter:
    _check(change, creating=True)
    filter_id = store.new_id()
    async with store.write() as conn:
        count = await conn.fetch_val(
            select(func.count()).select_from(filters).where(filters.c.account_id == account_id)
        )
        if count >= MAX_FILTERS:
            raise ValidationError(f"Validation failed: You can have at most {MAX_FILTERS} filters")
        await conn.execute(
            insert(filters).values(
                id=filter_id,
                account_id=account_id,
                title=(change.title or "").strip(),
                context=orjson.dumps(list(dict.fromkeys(change.context or ()))).decode(),
                action=change.action or "warn",
                created_at=now_ms(),
                **(_expiry(change) or {"expires_at": None}),
            )
        )
        await _apply_keywords(store, conn, filter_id, change.keywords)
        _changed(store, conn, account_id)
    return await get_filter(store, account_id, filter_id)


async def update_filter(
    store: Store, account_id: int, filter_id: int, change: FilterChange
) -> Filter:
    _check(change, creating=False)
    await get_filter(store, account_id, filter_id)
    values: dict[str, Any] = _expiry(change)
    if change.title is not None:
        values["title"] = change.title.strip()
    if change.context is not None:
        values["context"] = orjson.dumps(list(dict.fromkeys(change.context))).decode()
    if change.action is not None:
        values["action"] = change.action
    async with store.write() as conn:
        if values:
            await conn.execute(update(filters).where(filters.c.id == filter_id).values(**values))
        await _apply_keywords(store, conn, filter_id, change.keywords)
        _changed(store, conn, account_id)
    return await get_filter(store, account_id, filter_id)


async def _apply_keywords(
    store: Store, conn: Connection, filter_id: int, changes: Iterable[KeywordChange]
) -> None:
    """Add, change or (with ``destroy``) remove keywords of one filter, as
    ``keywords_attributes`` asks."""
    for change in changes:
        mine = filter_keywords.c.filter_id == filter_id
        if change.id is not None and change.destroy:
            await conn.execute(
                delete(filter_keywords).where(mine, filter_keywords.c.id == change.id)
            )
        elif change.id is not None:
            values: dict[str, Any] = {}
            if change.keyword is not None:
                values["keyword"] = change.keyword.strip()
            if change.whole_word is not None:
                values["whole_word"] = change.whole_word
            if values:
                await conn.execute(
                    update(filter_keywords)
                    .where(mine, filter_keywords.c.id == change.id)
                    .values(**values)
                )
        elif not change.destroy:
            await conn.execute(
                insert(filter_keywords).values(
                    id=store.new_id(),
                    filter_id=filter_id,
                    keyword=(change.keyword or "").strip(),
                    whole_word=True if change.whole_word is None else change.whole_word,
                    created_at=now_ms(),
                )
            )


async def delete_filter(store: Store, account_id: int, filter_id: int) -> None:
    await get_filter(store, account_id, filter_id)
    async with store.write() as conn:
        await conn.execute(delete(filters).where(filters.c.id == filter_id))
        _changed(store, conn, account_id)


async def _owned_row(store: Store, account_id: int, table: Any, row_id: int) -> Row:
    """A keyword or filtered status of one of the user's filters (404 otherwise)."""
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(table)
            .join(filters, filters.c.id == table.c.filter_id)
            .where(table.c.id == row_id, filters.c.account_id == account_id)
        )
    if row is None:
        raise NotFoundError("Record not found")
    return row._mapping


async def get_keyword(store: Store, account_id: int, keyword_id: int) -> Row:
    return await _owned_row(store, account_id, filter_keywords, keyword_id)


async def add_keyword(store: Store, account_id: int, filter_id: int, change: KeywordChange) -> Row:
    _check_keyword(change, creating=True)
    await get_filter(store, account_id, filter_id)
    keyword_id = store.new_id()
    async with store.write() as conn:
        await conn.execute(
            insert(filter_keywords).values(
                id=keyword_id,
                filter_id=filter_id,
                keyword=(change.keyword or "").strip(),
                whole_word=True if change.whole_word is None else change.whole_word,
                created_at=now_ms(),
            )
        )
        _changed(store, conn, account_id)
    return await get_keyword(store, account_id, keyword_id)


async def update_keyword(
    store: Store, account_id: int, keyword_id: int, change: KeywordChange
) -> Row:
    _check_keyword(change, creating=False)
    row = await get_keyword(store, account_id, keyword_id)
    async with store.write() as conn:
        await _apply_keywords(
            store,
            conn,
            row["filter_id"],
            [KeywordChange(change.keyword, change.whole_word, keyword_id)],
        )
        _changed(store, conn, account_id)
    return await get_keyword(store, account_id, keyword_id)


async def delete_keyword(store: Store, account_id: int, keyword_id: int) -> None:
    await get_keyword(store, account_id, keyword_id)
    async with store.write() as conn:
        await conn.execute(delete(filter_keywords).where(filter_keywords.c.id == keyword_id))
        _changed(store, conn, account_id)


async def get_filtered_status(store: Store, account_id: int, row_id: int) -> Row:
    return await _owned_row(store, account_id, filter_statuses, row_id)


async def add_status(store: Store, account_id: int, filter_id: int, status_id: int) -> Row:
    """Filter one status the user may see (once per filter)."""
    await get_filter(store, account_id, filter_id)
    row_id = store.new_id()
    async with store.write() as conn:
        visible = await conn.fetch_val(
            select(statuses.c.id).where(statuses.c.id == status_id, can_see(account_id))
        )
        if visible is None:
            raise NotFoundError("Record not found")
        present = await conn.fetch_val(
            select(filter_statuses.c.id).where(
                filter_statuses.c.filter_id == filter_id, filter_statuses.c.status_id == status_id
            )
        )
        if present is not None:
            raise ValidationError("Validation failed: Status has already been taken")
        await conn.execute(
            insert(filter_statuses).values(
                id=row_id, filter_id=filter_id, status_id=status_id, created_at=now_ms()
            )
        )
        _changed(store, conn, account_id)
    return await get_filtered_status(store, account_id, row_id)


async def delete_status(store: Store, account_id: int, row_id: int) -> None:
    await get_filtered_status(store, account_id, row_id)
    async with store.write() as conn:
        await conn.execute(delete(filter_statuses).where(filter_statuses.c.id == row_id))
        _changed(store, conn, account_id)


# Matching -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """One filter that matched a status: by which keywords, or by naming the status."""

    filter: Filter
    keyword_matches: list[str] | None
    status_matches: list[str] | None


@dataclass(slots=True)
class ActiveFilters:
    """A user's unexpired filters, compiled once for a page or a stream."""

    filters: list[Filter]
    patterns: dict[int, list[tuple[str, re.Pattern[str]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for f in self.filters:
            self.patterns[f.id] = [(k["keyword"], _pattern(k)) for k in f.keywords]

    def __bool__(self) -> bool:
        return bool(self.filters)

    def matches(self, status_id: int, text: str) -> list[Match]:
        found = []
        for f in self.filters:
            keywords = [k for k, pattern in self.patterns[f.id] if pattern.search(text)]
            by_status = [str(s["id"]) for s in f.statuses if s["status_id"] == status_id]
            if keywords or by_status:
                found.append(Match(f, keywords or None, by_status or None))
        return found

    def hides(self, matches: Iterable[Match], context: str) -> bool:
        return any(m.filter.action == "hide" and context in m.filter.context for m in matches)


def _pattern(keyword: Row) -> re.Pattern[str]:
    escaped = re.escape(keyword["keyword"])
    if keyword["whole_word"]:
        return re.compile(rf"(?<!\w){escaped}(?!\w)", re.IGNORECASE)
    return re.compile(escaped, re.IGNORECASE)


_TAG = re.compile(r"<[^>]*>")


def status_text(entity: dict[str, Any]) -> str:
    """What keywords are looked for in: text, content warning, media descriptions."""
    media = [m.get("description") or "" for m in entity.get("media_attachments", ())]
    content = html.unescape(_TAG.sub(" ", entity.get("content") or ""))
    return "\n".join([entity.get("spoiler_text") or "", content, *media])


async def active_filters(store: Store, account_id: int) -> ActiveFilters:
    """The user's filters that have not expired."""
    return (await active_filters_of(store, [account_id]))[account_id]


async def active_filters_of(store: Store, account_ids: Sequence[int]) -> dict[int, ActiveFilters]:
    """The unexpired filters of many users at once (three queries at most, for streams)."""
    async with store.read() as conn:
        return await Raw(conn).run(active_filters_plan(account_ids))


def active_filters_plan(account_ids: Sequence[int]) -> Plan[dict[int, ActiveFilters]]:
    """``active_filters_of`` as a plan, to run in the same trip as other reads."""
    loaded = yield from _filters_plan(account_ids)
    now = now_ms()
    by_account: dict[int, list[Filter]] = {a: [] for a in account_ids}
    for f in loaded:
        if f.row["expires_at"] is None or f.row["expires_at"] > now:
            by_account[f.row["account_id"]].append(f)
    return {a: ActiveFilters(found) for a, found in by_account.items()}
