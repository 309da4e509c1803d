"""Posting statuses: validation, formatting, mentions, tags, media, polls, notifications."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import func, insert, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.feeds import fan_out_statement, pending_statements, wake_filler
from fediverse.formatting import Formatted, format_status_text
from fediverse.groups_posting import distribute, group_for_post, local_only_for, visibility_for
from fediverse.ids import now_ms
from fediverse.notifications import notify
from fediverse.outgoing import federate_statement
from fediverse.polls import NewPoll, check_poll, create_poll
from fediverse.rawsql import Plan, Query, Raw, select_list
from fediverse.runtime import Runtime
from fediverse.storage.database import Store
from fediverse.storage.tables import media_attachments, mentions, statuses, users
from fediverse.streams import announce_committed, announce_status, status_topics
from fediverse.tags import tag_fan_out_statement
from fediverse.urls import status_uri
from fediverse.visibility import VISIBILITIES, VISIBLE_TO_VIEWER

MAX_CHARACTERS = 500
MAX_MEDIA = 4
URL_WEIGHT = 23
_URL = re.compile(r"https?://\S+")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
Statement = tuple[str, list[object]]


@dataclass(frozen=True, slots=True)
class NewStatus:
    """What a client may send to post a status."""

    text: str = ""
    spoiler_text: str = ""
    sensitive: bool | None = None
    visibility: str | None = None
    language: str | None = None
    in_reply_to_id: int | None = None
    media_ids: tuple[int, ...] = ()
    poll: NewPoll | None = None
    local_only: bool | None = None
    idempotency_key: str | None = None
    application_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def text_length(text: str) -> int:
    """Characters as Mastodon counts them: every URL weighs 23."""
    return len(_URL.sub("x" * URL_WEIGHT, text))


def check_status(new: NewStatus, max_characters: int = MAX_CHARACTERS) -> None:
    """Refuse what Mastodon refuses, with its messages."""
    if not new.text.strip() and not new.media_ids and new.poll is None:
        raise ValidationError("Validation failed: Text can't be blank")
    if text_length(new.text) + len(new.spoiler_text) > max_characters:
        raise ValidationError(
            f"Validation failed: Text character limit of {max_characters} exceeded"
        )
    if len(new.media_ids) > MAX_MEDIA:
        raise ValidationError(f"Validation failed: You can attach at most {MAX_MEDIA} files")
    if new.media_ids and new.poll is not None:
        raise ValidationError("Validation failed: You cannot attach both media and a poll")
    if new.visibility is not None and new.visibility not in VISIBILITIES:
        raise ValidationError(
            f"Validation failed: Visibility must be one of {', '.join(VISIBILITIES)}"
        )
    if new.language is not None and not _LANGUAGE.match(new.language):
        raise ValidationError("Validation failed: Language is not a language code")
    if new.poll is not None:
        check_poll(new.poll)


async def preferences(conn: Connection, account_id: int) -> dict[str, Any]:
    """The posting defaults a user chose (``users.settings``), empty for remote accounts."""
    raw = await conn.fetch_val(select(users.c.settings).where(users.c.account_id == account_id))
    loaded = orjson.loads(raw or "{}")
    return loaded if isinstance(loaded, dict) else {}


_KEY_SQL = "SELECT status_id FROM idempotency_keys WHERE account_id = ? AND key = ?"
_REMEMBER_KEY = (
    "INSERT INTO idempotency_keys (id, account_id, key, status_id, created_at) "
    "VALUES (?, ?, ?, ?, ?)"
)
_REPLY_NAMES = ("id", "account_id", "conversation_id", "uri", "local_only", "group_id")
_REPLY_SQL = (
    f"SELECT {select_list(_REPLY_NAMES, 's')} FROM statuses s "  # noqa: S608
    f"WHERE s.id = ? AND s.reblog_of_id IS NULL AND {VISIBLE_TO_VIEWER}"
)


def _lookups(author_id: int, new: NewStatus) -> Plan[tuple[int | None, dict[str, Any] | None]]:
    """What a post reads first in its write transaction: the status that an earlier request
    with the same idempotency key made (then nothing more), and the status it answers, which
    the author must be able to see."""
    if new.idempotency_key is not None:
        found = yield Query(_KEY_SQL, ("status_id",), (author_id, new.idempotency_key))
        if found:
            return int(found[0]["status_id"]), None
    if new.in_reply_to_id is None:
        return None, None
    found = yield Query(_REPLY_SQL, _REPLY_NAMES, (new.in_reply_to_id, *[author_id] * 5))
    if not found:
        raise NotFoundError("Record not found")
    return None, found[0]


async def attach_media(
    conn: Connection, author_id: int, status_id: int, media_ids: tuple[int, ...]
) -> None:
    """Attach the author's own, unattached (or already this status's) uploads."""
    if not media_ids:
        return
    attached = await conn.fetch_all(
        update(media_attachments)
        .where(
            media_attachments.c.id.in_(media_ids),
            media_attachments.c.account_id == author_id,
            (media_attachments.c.status_id.is_(None))
            | (media_attachments.c.status_id == status_id),
        )
        .values(status_id=status_id)
        .returning(media_attachments.c.id)
    )
    if len(attached) != len(set(media_ids)):
        raise ValidationError("Validation failed: media_ids names media that cannot be attached")
    unfinished = await conn.fetch_val(
        select(func.count())
        .select_from(media_attachments)
        .where(media_attachments.c.id.in_(media_ids), media_attachments.c.processing != "complete")
    )
    if unfinished:
        raise ValidationError(
            "Cannot attach files that have not finished processing. Try again in a moment!"
        )


_NEW_TAG = (
    "INSERT INTO tags (id, name, display_name, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
_LINK_TAG = "INSERT INTO statuses_tags (status_id, tag_id) SELECT ?, id FROM tags WHERE name = ?"


def tag_statements(store: Store, status_id: int, names: tuple[str, ...]) -> list[Statement]:
    """Statements that link a status to its hashtags, creating the ones never seen before."""
    statements: list[Statement] = []
    for name in dict.fromkeys(n.lower() for n in names):
        display = next(n for n in names if n.lower() == name)
        statements.append((_NEW_TAG, [store.new_id(), name, display, now_ms()]))
        statements.append((_LINK_TAG, [status_id, name]))
    return statements


async def link_tags(store: Store, conn: Connection, status_id: int, names: tuple[str, ...]) -> None:
    await Raw(conn).batch(tag_statements(store, status_id, names))


async def link_mentions(
    store: Store, conn: Connection, status_id: int, author_id: int, account_ids: tuple[int, ...]
) -> None:
    rows = [
        {"id": store.new_id(), "status_id": status_id, "account_id": a}
        for a in dict.fromkeys(account_ids)
    ]
    if rows:
        await conn.execute(insert(mentions).values(rows))
    for account_id in dict.fromkeys(account_ids):
        await notify(
            store,
            conn,
            account_id=account_id,
            from_account_id=author_id,
            type="mention",
            status_id=status_id,
        )


def _local_only(new: NewStatus, prefs: dict[str, Any], reply: Any, default: bool) -> bool:
    """The post's choice, else the author's preference, else the instance's default; a reply
    to a local-only status is local-only whatever was chosen, so a thread never leaks."""
    if reply is not None and reply["local_only"]:
        return True
    if new.local_only is not None:
        return new.local_only
    return bool(prefs.get("default_local_only", default))


def _defaults(
    new: NewStatus, prefs: dict[str, Any], reply: Any, local_only_default: bool = True
) -> tuple[str, bool, bool]:
    visibility = new.visibility or prefs.get("default_privacy") or "public"
    local_only = _local_only(new, prefs, reply, local_only_default)
    sensitive = new.sensitive if new.sensitive is not None else bool(prefs.get("default_sensitive"))
    return visibility, bool(local_only), bool(sensitive or new.spoiler_text)


_AUTHOR_SQL = (
    "SELECT a.username, u.settings FROM accounts a LEFT JOIN users u ON u.account_id = a.id "
    "WHERE a.id = ?"
)


async def _author(conn: Connection, author_id: int) -> tuple[str, dict[str, Any]]:
    found = await Raw(conn).rows(_AUTHOR_SQL, ("username", "settings"), author_id)
    if not found:
        raise NotFoundError("Record not found")
    prefs = orjson.loads(found[0]["settings"] or "{}")
    return found[0]["username"], prefs if isinstance(prefs, dict) else {}


@dataclass(frozen=True, slots=True)
class _Draft:
    """A post as far as it is known before its write transaction."""

    author_id: int
    username: str
    prefs: dict[str, Any]
    new: NewStatus
    formatted: Formatted
    subscribers: list[int]  # followers who asked to be told of the author's posts

    @property
    def plain(self) -> bool:
        """Nothing to attach, no poll, nobody mentioned: all it writes is known in advance."""
        new = self.new
        return not (new.media_ids or new.poll is not None or self.formatted.mentioned_account_ids)


@dataclass(frozen=True, slots=True)
class _Posted:
    status_id: int
    row: dict[str, Any] | None  # None: an earlier request with the same key made the status


async def create_status(runtime: Runtime, author_id: int, new: NewStatus) -> int:
    """Post a status in one transaction; returns its id (the earlier one for a reused key).

    What only reads (the author, the formatted text) happens before the write transaction,
    which on SQLite is the one writer everyone waits for. A plain post (``_Draft.plain``)
    is then one plan, BEGIN to COMMIT in one trip to the writer's thread
    (``Store.write_plan``); the general path, step by step, takes the rest.
    """
    check_status(new)
    draft = await _draft(runtime, author_id, new)
    if draft.plain:
        posted = await runtime.store.write_plan(_plain_post(runtime, draft))
        if posted is not None:
            if posted.row is not None:
                await announce_committed(
                    runtime.store, "update", posted.status_id, _topics(posted.row, draft)
                )
                _wake_worker(runtime, posted.row)
                wake_filler(runtime.store)
            return posted.status_id
    return await _post_in_steps(runtime, draft)


async def _draft(runtime: Runtime, author_id: int, new: NewStatus) -> _Draft:
    settings = runtime.settings
    async with runtime.store.read() as conn:
        username, prefs = await _author(conn, author_id)
        formatted = await format_status_text(
            conn, new.text, base_url=settings.base_url, local_domain=settings.domain
        )
        subscribers = await Raw(conn).rows(_SUBSCRIBERS, ("account_id",), author_id)
    followers = [r["account_id"] for r in subscribers]
    return _Draft(author_id, username, prefs, new, formatted, followers)


def _plain_post(runtime: Runtime, draft: _Draft) -> Plan[_Posted | None]:
    """A plain post as one plan for ``Store.write_plan``; None, decided before anything is
    written, when it needs the general path after all: a reply in a group's thread (a post
    to the group) or a post that notifies subscribers."""
    existing, reply = yield from _lookups(draft.author_id, draft.new)
    if existing is not None:
        return _Posted(existing, None)
    if reply is not None and reply["group_id"] is not None:
        return None
    row = _status_row(runtime, draft, reply)
    if draft.subscribers and _tells_subscribers(reply, row):
        return None
    statements = [
        _insert_statement(row),
        *_audience_statements(runtime.store, row, draft, reply),
        *_closing_statements(runtime, row, draft.new.idempotency_key),
    ]
    for sql, args in statements:
        yield Query(sql, (), tuple(args))
    return _Posted(row["id"], row)


async def _post_in_steps(runtime: Runtime, draft: _Draft) -> int:
    """The general path: media, a poll, mentions, a group, subscribers to notify."""
    store, new, author_id = runtime.store, draft.new, draft.author_id
    mentioned = draft.formatted.mentioned_account_ids
    async with store.write() as conn:
        existing, reply = await Raw(conn).run(_lookups(author_id, new))
        if existing is not None:
            return existing
        group = await group_for_post(conn, author_id, mentioned, reply["id"] if reply else None)
        row = _status_row(runtime, draft, reply)
        if group is not None:
            row["group_id"] = group.id
            row["visibility"] = visibility_for(group, row["visibility"])
            row["local_only"] = local_only_for(group, new.local_only, row["local_only"]) or bool(
                reply is not None and reply["local_only"]
            )
        status_id: int = row["id"]
        statements = [_insert_statement(row)]
        if not draft.plain:
            await Raw(conn).batch(statements)
            statements = []
            await _link_everything(store, conn, status_id, author_id, new, draft.formatted)
        statements += _audience_statements(store, row, draft, reply)
        await Raw(conn).batch(statements)
        if group is not None:
            await distribute(store, conn, status_id, group, author_id, local_only=row["local_only"])
        await _notify_subscribers(store, conn, draft.subscribers, status_id, reply, row)
        await Raw(conn).batch(_closing_statements(runtime, row, new.idempotency_key))
        announce_status(store, conn, "update", status_id, _topics(row, draft))
    _wake_worker(runtime, row)
    wake_filler(runtime.store)
    return status_id


def _status_row(runtime: Runtime, draft: _Draft, reply: dict[str, Any] | None) -> dict[str, Any]:
    new, prefs, settings = draft.new, draft.prefs, runtime.settings
    visibility, local_only, sensitive = _defaults(new, prefs, reply, settings.local_only_default)
    status_id = runtime.store.new_id()
    return {
        "id": status_id,
        "account_id": draft.author_id,
        "uri": status_uri(settings.base_url, draft.username, status_id),
        "url": f"{settings.base_url}/@{draft.username}/{status_id}",
        "local": True,
        "text": new.text,
        "content": draft.formatted.html,
        "spoiler_text": new.spoiler_text,
        "sensitive": sensitive,
        "visibility": visibility,
        "local_only": local_only,
        "language": new.language or prefs.get("default_language") or None,
        "in_reply_to_id": reply["id"] if reply else None,
        "in_reply_to_account_id": reply["account_id"] if reply else None,
        "in_reply_to_uri": reply["uri"] if reply else None,
        "conversation_id": reply["conversation_id"] if reply else status_id,
        "application_id": new.application_id,
        "created_at": now_ms(),
    }


def _insert_statement(row: dict[str, Any]) -> Statement:
    return _insert_sql(tuple(row)), list(row.values())


@lru_cache(maxsize=16)
def _insert_sql(columns: tuple[str, ...]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO statuses ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


def _audience_statements(
    store: Store, row: dict[str, Any], draft: _Draft, reply: dict[str, Any] | None
) -> list[Statement]:
    """After the status row: its tags, the home feeds it reaches, the counts it moves."""
    status_id, author_id, visibility = row["id"], row["account_id"], row["visibility"]
    tags = draft.formatted.tags
    statements = tag_statements(store, status_id, tags)
    if tags:
        statements += tag_fan_out_statement(status_id, author_id, visibility=visibility)
    if visibility == "direct":
        statements.append(fan_out_statement(status_id, author_id, visibility=visibility))
    else:  # the followers' rows in a batch, soon (fediverse.feeds)
        statements += pending_statements(status_id, author_id)
    return statements + _count_statements(author_id, reply)


def _closing_statements(runtime: Runtime, row: dict[str, Any], key: str | None) -> list[Statement]:
    """What a post writes last: its idempotency key, and its federate job unless local-only
    (then ``_wake_worker`` once committed)."""
    statements: list[Statement] = []
    if key:
        args: list[object] = [runtime.store.new_id(), row["account_id"], key, row["id"], now_ms()]
        statements.append((_REMEMBER_KEY, args))
    if not row["local_only"]:
        statements.append(federate_statement(runtime.queue, "status.create", status_id=row["id"]))
    return statements


def _wake_worker(runtime: Runtime, row: dict[str, Any]) -> None:
    if not row["local_only"]:
        runtime.queue.notify()


def _topics(row: dict[str, Any], draft: _Draft) -> list[str]:
    return status_topics(
        author_id=draft.author_id,
        visibility=row["visibility"],
        local_author=True,
        tags=draft.formatted.tags,
        mentioned_ids=draft.formatted.mentioned_account_ids,
    )


async def _link_everything(
    store: Store,
    conn: Connection,
    status_id: int,
    author_id: int,
    new: NewStatus,
    formatted: Formatted,
) -> None:
    await attach_media(conn, author_id, status_id, new.media_ids)
    if new.poll is not None:
        poll_id = await create_poll(
            store, conn, status_id=status_id, account_id=author_id, poll=check_poll(new.poll)
        )
        await conn.execute(
            update(statuses).where(statuses.c.id == status_id).values(poll_id=poll_id)
        )
    await link_mentions(store, conn, status_id, author_id, formatted.mentioned_account_ids)


_COUNT_NEW = (
    "UPDATE accounts SET statuses_count = statuses_count + 1, last_status_at = ? WHERE id = ?"
)
# ``notify`` as it stands, so that both databases read the partial index of subscribers.
_SUBSCRIBERS = "SELECT account_id FROM follows WHERE target_account_id = ? AND notify"


_COUNT_REPLY = "UPDATE statuses SET replies_count = replies_count + 1 WHERE id = ?"


def _count_statements(author_id: int, reply: dict[str, Any] | None) -> list[Statement]:
    statements: list[Statement] = [(_COUNT_NEW, [now_ms(), author_id])]
    if reply is not None:
        statements.append((_COUNT_REPLY, [reply["id"]]))
    return statements


def _tells_subscribers(reply: dict[str, Any] | None, row: dict[str, Any]) -> bool:
    """Followers who asked to be told of new posts hear of this one (not of a direct post,
    nor of a reply to someone else)."""
    author_id = row["account_id"]
    return row["visibility"] != "direct" and (reply is None or reply["account_id"] == author_id)


async def _notify_subscribers(
    store: Store,
    conn: Connection,
    subscribers: list[int],
    status_id: int,
    reply: dict[str, Any] | None,
    row: dict[str, Any],
) -> None:
    if not _tells_subscribers(reply, row):
        return
    for follower in subscribers:
        await notify(
            store,
            conn,
            account_id=follower,
            from_account_id=row["account_id"],
            type="status",
            status_id=status_id,
        )


async def count_statuses(store: Store) -> int:
    async with store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(statuses)) or 0)
