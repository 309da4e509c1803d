"""Full-text search of statuses, with Swedish stemming, on both databases.

PostgreSQL indexes ``to_tsvector('swedish', spoiler_text || ' ' || content)`` (migration 0007)
and needs nothing written. SQLite keeps an FTS5 table, ``status_search``, of the words of each
status stemmed with the same Snowball algorithm. It is brought up to date before each search
(``catch_up``: the statuses newer than the newest indexed, local or remote, so posting and the
inbox pay nothing), and an edit of a local status indexes it again at once (``index_status``).
Snowball leaves the definite form of words in -a alone (``förskolan`` stays, ``förskola``
becomes ``förskol``), so each word of a query also asks for its other form.
Only statuses the searcher may see are found.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

from databases.core import Connection
from sqlalchemy import BigInteger, column, func, literal_column, select, table, text

from fediverse.hydrate import STATUS_COLUMNS, Row
from fediverse.ids import id_at
from fediverse.rawsql import Raw
from fediverse.storage.database import Store
from fediverse.storage.tables import statuses
from fediverse.visibility import can_see, not_hidden_from

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+")
MAX_QUERY_WORDS = 8
PG_DOCUMENT = "to_tsvector('swedish'::regconfig, statuses.spoiler_text || ' ' || statuses.content)"
_SQLITE_INSERT = "INSERT INTO status_search (rowid, terms) VALUES (?, ?)"
_SQLITE_DELETE = "DELETE FROM status_search WHERE rowid = ?"


def words(*texts: str) -> list[str]:
    """The lower-cased words of texts that may be HTML."""
    plain = " ".join(html.unescape(_TAG.sub(" ", t or "")) for t in texts)
    return _WORD.findall(plain.lower())


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """Made at the first search on SQLite: the Snowball stemmers cost a server 3 MB of
    memory that PostgreSQL instances never need."""
    import snowballstemmer

    return snowballstemmer.stemmer("swedish")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def index_terms(spoiler_text: str, content: str) -> str:
    """What SQLite's search table holds for a status: its stemmed words."""
    return " ".join(stem(w) for w in words(spoiler_text, content))


_VOWELS = "aeiouyåäö"


def variants(word: str) -> list[str]:
    """A word and its other forms in the definite singular, which Snowball leaves apart:
    ``skola``/``skolan``, ``protokoll``/``protokollet``, ``möte``/``mötet``,
    ``miljö``/``miljön``. A query asks for any of them; the index keeps plain stems."""
    found = [word]
    if len(word) < 4 or not word.isalpha():
        return found
    if word.endswith("an"):
        found.append(word[:-1])  # skolan -> skola
    elif word.endswith("et") and len(word) >= 5:
        found += [word[:-2], word[:-1]]  # protokollet -> protokoll, mötet -> möte
    elif word[-1] == "n" and word[-2] in _VOWELS:
        found.append(word[:-1])  # miljön -> miljö
    elif word[-1] == "a":
        found.append(word + "n")  # skola -> skolan
    elif word[-1] in _VOWELS:
        found += [word + "n", word + "t"]  # miljö -> miljön, möte -> mötet
    else:
        found += [word + "et", word + "en"]  # protokoll -> protokollet, -en
    return found


def _query_words(query: str) -> list[str]:
    return list(dict.fromkeys(words(query)))[:MAX_QUERY_WORDS]


def sqlite_match(query: str) -> str | None:
    """An FTS5 MATCH expression: every word, in any of its forms; None without words."""
    groups = []
    for word in _query_words(query):
        stems = dict.fromkeys(stem(v) for v in variants(word))
        groups.append("(" + " OR ".join(f'"{s}"' for s in stems) + ")")
    return " AND ".join(groups) or None


def pg_tsquery(query: str) -> str | None:
    """A ``to_tsquery('swedish', ...)`` text of the same shape; words are \\w+ only, so safe."""
    groups = ["(" + " | ".join(variants(w)) + ")" for w in _query_words(query)]
    return " & ".join(groups) or None


def index_statements(
    store: Store, status_id: int, spoiler_text: str, content: str, *, replace: bool = False
) -> list[tuple[str, list[object]]]:
    """Statements that (re)index one status, for a write transaction (none on PostgreSQL)."""
    if not store.is_sqlite:
        return []
    statements: list[tuple[str, list[object]]] = []
    if replace:
        statements.append((_SQLITE_DELETE, [status_id]))
    statements.append((_SQLITE_INSERT, [status_id, index_terms(spoiler_text, content)]))
    return statements


async def index_status(
    store: Store, conn: Connection, status_id: int, spoiler_text: str, content: str
) -> None:
    """Index an edited status again in the caller's transaction; one not yet indexed is left
    to ``catch_up``, which reads it as it is then (and relies on the newest being indexed)."""
    if not store.is_sqlite:
        return
    raw = Raw(conn)
    if await raw.rows("SELECT rowid FROM status_search WHERE rowid = ?", ("id",), status_id):
        await raw.batch(index_statements(store, status_id, spoiler_text, content, replace=True))


_FTS = table("status_search", column("rowid", BigInteger))


def _matching(store: Store, query: str) -> tuple[Any, Any] | None:
    """The condition that finds the query's statuses, and the table to join for it: on
    SQLite the FTS5 table, read newest first by rowid (the status id), so that a page of a
    common word stops after its first matches instead of sorting them all."""
    if store.is_sqlite:
        match = sqlite_match(query)
        if match is None:
            return None
        condition = literal_column("status_search").op("MATCH")(match)
        return condition, _FTS
    tsquery = pg_tsquery(query)
    if tsquery is None:
        return None
    return text(f"{PG_DOCUMENT} @@ to_tsquery('swedish'::regconfig, :q)").bindparams(
        q=tsquery
    ), None


async def search_statuses(
    store: Store,
    viewer: int,
    query: str,
    *,
    limit: int,
    offset: int = 0,
    account_id: int | None = None,
    max_id: int | None = None,
    min_id: int | None = None,
) -> list[Row]:
    """Statuses matching every word of ``query`` that ``viewer`` may see, newest first."""
    found = _matching(store, query)
    if found is None:
        return []
    condition, fts = found
    await catch_up(store, most=SEARCH_CATCH_UP)
    key = fts.c.rowid if fts is not None else statuses.c.id
    source = statuses.join(fts, fts.c.rowid == statuses.c.id) if fts is not None else statuses
    q = (
        select(*STATUS_COLUMNS)
        .select_from(source)
        .where(
            condition,
            statuses.c.reblog_of_id.is_(None),
            statuses.c.deleted_at.is_(None),
            can_see(viewer),
            not_hidden_from(viewer),
        )
    )
    if account_id is not None:
        q = q.where(statuses.c.account_id == account_id)
    if max_id is not None:
        q = q.where(key < max_id)
    if min_id is not None:
        q = q.where(key > min_id)
    q = q.order_by(key.desc()).limit(limit).offset(offset)
    async with store.read() as conn:
        return [r._mapping for r in await conn.fetch_all(q)]


SEARCH_CATCH_UP = 20_000
CATCH_UP_MARGIN = id_at(60_000)  # ids are taken before commit: look a minute behind the newest


async def catch_up(store: Store, *, batch: int = 2000, most: int | None = None) -> int:
    """Index (SQLite) the statuses that arrived since the newest one indexed, oldest first,
    at most ``most`` of them; how many. A search indexes at most SEARCH_CATCH_UP, so that a
    large backlog (a database copied in, a bulk load) slows each search a little, never one
    a lot."""
    if not store.is_sqlite:
        return 0
    async with store.read() as conn:
        indexed = await conn.fetch_val(text("SELECT max(rowid) FROM status_search")) or 0
        newest = await conn.fetch_val(select(func.max(statuses.c.id))) or 0
    if newest <= indexed:
        return 0  # the common case: nothing new, and the writer is not asked for
    done, low = 0, max(indexed - CATCH_UP_MARGIN, 0)
    while most is None or done < most:
        # In the write transaction, so that two searches never index one status twice.
        async with store.write() as conn:
            rows = await conn.fetch_all(_unindexed(low, batch))
            statements: list[tuple[str, list[object]]] = []
            for row in rows:
                statements += index_statements(store, row[0], row[1], row[2])
            await Raw(conn).batch(statements)
        done += len(rows)
        if len(rows) < batch:
            break
        low = rows[-1][0]
    return done


def _unindexed(low: int, limit: int) -> Any:
    indexed = text("SELECT rowid FROM status_search WHERE rowid > :low").bindparams(low=low)
    return (
        select(statuses.c.id, statuses.c.spoiler_text, statuses.c.content)
        .where(statuses.c.id > low, statuses.c.id.not_in(indexed.columns(rowid=BigInteger)))
        .order_by(statuses.c.id)
        .limit(limit)
    )
