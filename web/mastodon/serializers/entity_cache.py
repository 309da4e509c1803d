"""The home timeline on PostgreSQL, from entities each web process keeps between requests.

Most of a home page's cost, on PostgreSQL, was writing its 40 entities' text again for every
request and moving it to the process: some 2.4 ms of the database's time and a quarter of
the process's, for text that had not changed since the last request that showed the same
statuses (bench/RESULTS.md). Timelines overlap: the statuses of the last day or so make
most pages of most viewers.

So a page is read in two steps:

1. One query reads the page's rows with only what is the viewer's or may change between
   any two requests: each status's and author's row version (``xmin``, the transaction
   that last wrote the row), the viewer's marks (favourited, bookmarked, pinned, boosted),
   the poll as the viewer sees it, the application of the viewer's own statuses, and
   whether the author is marked sensitive.
2. Statuses and accounts the process does not hold at that version are written by the
   database (``sqljson``: the same text the one-query page writes) in one more query, and
   kept.

The entity of a page row is then joined from the kept texts and the viewer's part. The
version check is what makes it correct in every process: a row's ``xmin`` changes whenever
the row is written, and every change to an entity writes its row, directly (an edit, a
count, a profile change, a renamed department) or through the triggers of migration 0014
(media, mentions or tags changed later, a processed avatar, a mentioned account's address).
Nothing depends on what this process saw written. (A version could only come back after
some four billion transactions, and only by landing on the very one a kept text has.)

A process keeps at most ``STATUSES`` statuses and ``ACCOUNTS`` accounts, dropping the ones
read least recently first: some 50 MB at most, room for every account of a large
municipality's instance. SQLite has none of this; it writes the whole
page on a reader's thread with the interpreter lock released (``sqljson``).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fediverse.feeds import home_rows_sql
from fediverse.paging import PageQuery
from fediverse.rawsql import Plan, Query
from fediverse.storage.database import Store
from web.mastodon.serializers.sqljson import (
    POSTGRES,
    POSTGRES_ROW,
    J,
    JsonPage,
    S,
    account_json,
    application,
    filtered_page,
    home_args,
    media_json,
    mentions_json,
    poll_json,
    row_fields,
    sensitive,
    tags_json,
)

STATUSES = 30_000
ACCOUNTS = 30_000


@dataclass(slots=True)
class _Kept:
    """Texts by id, each with the row version it was written at, least recently read first."""

    limit: int
    texts: dict[int, tuple[int, bytes]] = field(default_factory=dict)

    def take(
        self, wanted: Iterable[tuple[int, int]], found: dict[int, bytes], missing: set[int]
    ) -> None:
        """Each wanted (id, version) kept at that version into ``found``, else into
        ``missing``; a text kept at another version is dropped (its row was written since)."""
        texts = self.texts
        for key, version in wanted:
            if key in found:
                continue
            kept = texts.pop(key, None)
            if kept is not None and kept[0] == version:
                texts[key] = kept  # now the most recently read
                found[key] = kept[1]
            else:
                missing.add(key)

    def put(self, key: int, version: int, text: bytes) -> None:
        self.texts.pop(key, None)
        self.texts[key] = (version, text)
        while len(self.texts) > self.limit:
            del self.texts[next(iter(self.texts))]


@dataclass(slots=True)
class EntityCache:
    """One process's kept entity texts for one database and base URL."""

    base: str
    statuses: _Kept = field(default_factory=lambda: _Kept(STATUSES))
    accounts: _Kept = field(default_factory=lambda: _Kept(ACCOUNTS))


_CACHES: weakref.WeakKeyDictionary[Store, EntityCache] = weakref.WeakKeyDictionary()


def cache_for(store: Store, base: str) -> EntityCache:
    """The process's cache for ``store``'s database (ids and versions are the database's)."""
    cache = _CACHES.get(store)
    if cache is None or cache.base != base:
        cache = _CACHES[store] = EntityCache(base)
    return cache


@dataclass(frozen=True, slots=True)
class _Sql:
    newest: str
    oldest: str
    texts: str


_VERSION = "{}.xmin::text::bigint"
# The viewer's marks of the status shown (a boost's original) and whether its author, or the
# boost's, is marked sensitive, as the bits of one number (``_viewers``).
_FAVOURITED, _REBLOGGED, _BOOKMARKED, _PINNED = 1, 2, 4, 8
_SENSITIVE, _ORIGINAL_SENSITIVE = 16, 32
# PostgreSQL's | and << have the same precedence, and bind from the left: each in brackets.
_BITS = (
    "(fv.account_id IS NOT NULL)::int | ((EXISTS (SELECT 1 FROM statuses rb "
    "WHERE rb.account_id = hf.account_id AND rb.reblog_of_id = coalesce(o.id, s.id)))::int << 1) "
    "| ((bm.account_id IS NOT NULL)::int << 2) | ((pn.account_id IS NOT NULL)::int << 3) "
    "| (({ss})::int << 4) | (({os})::int << 5)"
)
# The page's rows, newest first: versions to check the kept texts by, and the viewer's part.
_PAGE = (
    "SELECT s.id AS id, {sv} AS sv, s.account_id AS sa, {sav} AS sav, o.id AS o, {ov} AS ov, "
    "o.account_id AS oa, {oav} AS oav, {bits} AS bits, ({sapp})::text AS sapp, "
    "({oapp})::text AS oapp, CASE WHEN o.id IS NULL THEN {spoll} ELSE {opoll} END AS poll, "
    "EXISTS (SELECT 1 FROM filters fl WHERE fl.account_id = ?) AS filters FROM ("
    "SELECT feed.status_id, CAST(? AS BIGINT) AS account_id, CAST(? AS BIGINT) AS ms "
    "FROM ({rows}) AS feed) hf "
    "JOIN statuses s ON s.id = hf.status_id LEFT JOIN statuses o ON o.id = s.reblog_of_id "
    "LEFT JOIN accounts sa ON sa.id = s.account_id "
    "LEFT JOIN accounts oa ON oa.id = o.account_id "
    "{marks}ORDER BY s.id DESC"
)
_PAGE_COLUMNS = (
    *("id", "sv", "sa", "sav", "o", "ov", "oa", "oav", "bits", "sapp", "oapp", "poll"),
    "filters",
)
_MARKS = "".join(
    f"LEFT JOIN {table} {alias} ON {alias}.account_id = hf.account_id "
    f"AND {alias}.status_id = coalesce(o.id, s.id) "
    for table, alias in (("favourites", "fv"), ("bookmarks", "bm"), ("status_pins", "pn"))
)
# The kept texts of statuses and accounts by id, with the versions they were written at.
_TEXTS = (
    "SELECT 's' AS kind, s.id AS id, {sv} AS version, "
    "CASE WHEN s.reblog_of_id IS NULL THEN {original} ELSE {boost} END AS text "
    "FROM statuses s WHERE s.id IN (?ids) "
    "UNION ALL SELECT 'a', a.id, {av}, {account} FROM accounts a "
    "LEFT JOIN media_attachments aav ON aav.id = a.avatar_media_id "
    "LEFT JOIN media_attachments ahd ON ahd.id = a.header_media_id WHERE a.id IN (?ids)"
)


@lru_cache(maxsize=8)
def _sql(base: str) -> _Sql:
    d = POSTGRES
    page = {
        "sv": _VERSION.format("s"),
        "sav": _VERSION.format("sa"),
        "ov": _VERSION.format("o"),
        "oav": _VERSION.format("oa"),
        "bits": _BITS.format(
            ss=d.value(sensitive(d, "s", "sa")), os=d.value(sensitive(d, "o", "oa"))
        ),
        "sapp": application(d, "s").sql,
        "oapp": application(d, "o").sql,
        "spoll": poll_json(d, "s"),
        "opoll": poll_json(d, "o"),
        "marks": _MARKS,
    }
    # A status's text without its braces, the viewer's part (``_marks``) or its account: an
    # original's kept fields with its media, mentions and tags; a boost's own row.
    original = d.kept_obj(
        "s",
        [
            ("media_attachments", J(media_json(d, base, "s"))),
            ("mentions", J(mentions_json(d, "s"))),
            ("tags", J(tags_json(d, base, "s"))),
        ],
    )
    empty = J(d.const("[]"))
    boost = POSTGRES_ROW.obj(
        [
            *row_fields(POSTGRES_ROW, "s"),
            ("content", S("''")),
            ("media_attachments", empty),
            ("mentions", empty),
            ("tags", empty),
        ]
    )
    texts = _TEXTS.format(
        sv=_VERSION.format("s"),
        original=original,
        boost=f"({boost})::text",
        av=_VERSION.format("a"),
        account=d.as_text(account_json(d, base, "a")),
    )
    return _Sql(
        newest=_PAGE.format(rows=home_rows_sql("DESC"), **page),
        oldest=_PAGE.format(rows=home_rows_sql("ASC"), **page),
        texts=texts,
    )


def home_page_plan(cache: EntityCache, account_id: int, page: PageQuery) -> Plan[JsonPage]:
    """The viewer's home timeline page (``sqljson.home_page_plan``'s), from kept entities."""
    sql = _sql(cache.base)
    query = sql.oldest if page.min_id is not None else sql.newest
    rows = yield Query(query, _PAGE_COLUMNS, home_args(account_id, page))
    if not rows:
        return JsonPage([], b"[]")
    statuses, accounts = cache.statuses, cache.accounts
    status_texts: dict[int, bytes] = {}
    account_texts: dict[int, bytes] = {}
    missing_statuses: set[int] = set()
    missing_accounts: set[int] = set()
    boosts = [r for r in rows if r["o"] is not None]
    statuses.take([(r["id"], r["sv"]) for r in rows], status_texts, missing_statuses)
    statuses.take([(r["o"], r["ov"]) for r in boosts], status_texts, missing_statuses)
    accounts.take([(r["sa"], r["sav"]) for r in rows], account_texts, missing_accounts)
    accounts.take([(r["oa"], r["oav"]) for r in boosts], account_texts, missing_accounts)
    if missing_statuses or missing_accounts:
        written = yield Query(
            sql.texts,
            ("kind", "id", "version", "text"),
            (sorted(missing_statuses), sorted(missing_accounts)),
        )
        for w in written:
            text = w["text"].encode()
            if w["kind"] == "s":
                text = text[1:-1]  # without its braces: the entity's own come around it
                status_texts[w["id"]] = text
                statuses.put(w["id"], w["version"], text)
            else:
                account_texts[w["id"]] = text
                accounts.put(w["id"], w["version"], text)
    body = b"[" + b",".join(_entities(rows, status_texts, account_texts)) + b"]"
    json_page = JsonPage([r["id"] for r in rows], body)
    return (yield from filtered_page(account_id, json_page, bool(rows[0]["filters"])))


def _viewers_text(bits: int) -> bytes:
    def flag(bit: int) -> bytes:
        return b"true" if bits & bit else b"false"

    return b"".join(
        (
            b',"favourited":',
            flag(_FAVOURITED),
            b',"reblogged":',
            flag(_REBLOGGED),
            b',"bookmarked":',
            flag(_BOOKMARKED),
            b',"pinned":',
            flag(_PINNED),
            b',"sensitive":',
            flag(_SENSITIVE),
            b"}",
        )
    )


# The end of an entity for each combination of the five bits, its closing brace included.
_VIEWERS = [_viewers_text(bits) for bits in range(32)]


def _viewers(app: str | None, bits: int) -> bytes:
    """The entity's fields that are the viewer's (or its author's, for ``sensitive``)."""
    return b',"application":' + (app.encode() if app is not None else b"null") + _VIEWERS[bits]


def _entity(account: bytes, reblog: bytes, poll: bytes, shared: bytes, viewers: bytes) -> bytes:
    """An entity's text: its account, reblog and poll, then its own fields (as ``sqljson``)."""
    return b"".join(
        (b'{"account":', account, b',"reblog":', reblog, b',"poll":', poll, b",", shared, viewers)
    )


def _entities(
    rows: list[dict[str, Any]], statuses: dict[int, bytes], accounts: dict[int, bytes]
) -> Iterable[bytes]:
    for r in rows:
        poll = r["poll"].encode() if r["poll"] is not None else b"null"
        bits, shared = r["bits"], statuses[r["id"]]
        if r["o"] is None:
            yield _entity(accounts[r["sa"]], b"null", poll, shared, _viewers(r["sapp"], bits & 31))
            continue
        # The original with its own author's mark; the boost never pinned (``sqljson``).
        original_bits = (bits & 15) | (_SENSITIVE if bits & _ORIGINAL_SENSITIVE else 0)
        original = _entity(
            accounts[r["oa"]],
            b"null",
            poll,
            statuses[r["o"]],
            _viewers(r["oapp"], original_bits),
        )
        boost_viewers = _viewers(r["sapp"], bits & (31 & ~_PINNED))
        yield _entity(accounts[r["sa"]], original, b"null", shared, boost_viewers)
