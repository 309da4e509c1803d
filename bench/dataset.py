"""Benchmark datasets written straight into a migrated database with bulk inserts.

    .venv/bin/python bench/dataset.py reference sqlite:///bench/data/reference.db
    .venv/bin/python bench/dataset.py large postgresql://postgres@127.0.0.1/bench_large

reference: 1,000 accounts, each following 50 others picked with random.Random(42), 100,000
public statuses of about 260 characters, one in ten ending with one of 20 hashtags, spread
over 100 days. large: 10,000 accounts following 200 each, 1,000,000 statuses with mentions,
tags, media, favourites and boosts. Every account gets an access token
``bench-token-<n>`` (scopes read write follow) for the load tests.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import heapq
import itertools
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from fediverse.storage.database import sqlite_path
from fediverse.storage.migrate import upgrade

DOMAIN = "127.0.0.1:8040"
BASE = f"http://{DOMAIN}"
DAY_MS = 86_400_000
WORDS = [
    "kommun",
    "skola",
    "förskola",
    "budget",
    "möte",
    "protokoll",
    "nämnd",
    "förvaltning",
    "rektor",
    "elever",
    "vårdnadshavare",
    "schema",
    "lunch",
    "fika",
    "rapport",
    "uppföljning",
    "kvalitet",
    "arbetsmiljö",
    "samverkan",
    "projekt",
    "plan",
    "beslut",
    "underlag",
    "utredning",
    "remiss",
    "medborgare",
    "service",
    "digital",
    "tjänst",
    "kurs",
    "utbildning",
    "introduktion",
    "semester",
    "vikarie",
    "bemanning",
    "lokal",
    "städning",
    "teknik",
    "it-support",
    "lösenord",
    "skrivare",
    "nätverk",
    "kalender",
    "inbjudan",
    "påminnelse",
    "tack",
    "hej",
    "alla",
]
HASHTAGS = [f"tagg{n:02d}" for n in range(20)]
FEED_CAP = 800  # newest entries per home feed written by the generator, as Mastodon keeps


@dataclass(frozen=True)
class Shape:
    accounts: int
    follows_each: int
    statuses: int
    boost_share: float
    mention_share: float
    media_share: float
    favourites: int


SHAPES = {
    "reference": Shape(1_000, 50, 100_000, 0.0, 0.0, 0.0, 0),
    "large": Shape(10_000, 200, 1_000_000, 0.05, 0.1, 0.05, 1_000_000),
}


def token(n: int) -> str:
    return f"bench-token-{n}"


class Tables:
    """Rows per table as column names and tuples, filled by the generator."""

    def __init__(self) -> None:
        self.columns: dict[str, Sequence[str]] = {}
        self.rows: dict[str, list[tuple[Any, ...]]] = {}

    def add(self, table: str, columns: Sequence[str], row: tuple[Any, ...]) -> None:
        self.columns.setdefault(table, columns)
        self.rows.setdefault(table, []).append(row)


ACCOUNT_COLUMNS = [
    "id",
    "username",
    "display_name",
    "uri",
    "url",
    "inbox_url",
    "outbox_url",
    "shared_inbox_url",
    "followers_url",
    "following_url",
    "featured_url",
    "followers_count",
    "following_count",
    "statuses_count",
    "last_status_at",
    "created_at",
    "updated_at",
]
STATUS_COLUMNS = [
    "id",
    "account_id",
    "uri",
    "url",
    "local",
    "text",
    "content",
    "visibility",
    "local_only",
    "language",
    "reblog_of_id",
    "conversation_id",
    "reblogs_count",
    "favourites_count",
    "created_at",
]


def _text(rng: random.Random, tag: str | None, mention: str | None) -> tuple[str, str]:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < 250:
        words.append(rng.choice(WORDS))
    text = " ".join(words).capitalize() + "."
    html = text
    if mention:
        text = f"@{mention} {text}"
        html = (
            f'<span class="h-card"><a href="{BASE}/@{mention}" class="u-url mention">'
            f"@<span>{mention}</span></a></span> {html}"
        )
    if tag:
        text += f" #{tag}"
        html += f' <a href="{BASE}/tags/{tag}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'
    return text, f"<p>{html}</p>"


def _accounts(tables: Tables, shape: Shape, now: int, rng: random.Random) -> list[list[int]]:
    ids = [((now - 101 * DAY_MS) << 16) + n for n in range(shape.accounts)]
    following = [
        rng.sample([o for o in range(shape.accounts) if o != a], shape.follows_each)
        for a in range(shape.accounts)
    ]
    tables.add(
        "oauth_applications",
        ["id", "name", "redirect_uris", "scopes", "client_id", "client_secret", "created_at"],
        (1, "bench", '["urn:ietf:wg:oauth:2.0:oob"]', "read write follow", "bench", "x", now),
    )
    for n, account_id in enumerate(ids):
        user = f"user{n}"
        uri = f"{BASE}/users/{user}"
        tables.add(
            "users",
            ["id", "account_id", "email", "role", "locale", "created_at"],
            (account_id, account_id, f"{user}@kommun.se", "user", "sv", now),
        )
        digest = hashlib.sha256(token(n).encode()).hexdigest()
        tables.add(
            "oauth_tokens",
            ["id", "token_hash", "application_id", "user_id", "scopes", "created_at"],
            (account_id, digest, 1, account_id, "read write follow", now),
        )
        tables.add(
            "accounts",
            ACCOUNT_COLUMNS,
            [
                account_id,
                user,
                f"Användare {n}",
                uri,
                f"{BASE}/@{user}",
                f"{uri}/inbox",
                f"{uri}/outbox",
                f"{BASE}/inbox",
                f"{uri}/followers",
                f"{uri}/following",
                f"{uri}/collections/featured",
                0,
                shape.follows_each,
                0,
                None,
                now,
                now,
            ],
        )  # type: ignore[arg-type]
    follow_id = (now - 100 * DAY_MS) << 16
    for a, targets in enumerate(following):
        for t in targets:
            follow_id += 1
            tables.add(
                "follows",
                ["id", "account_id", "target_account_id", "created_at"],
                (follow_id, ids[a], ids[t], now),
            )
            tables.rows["accounts"][t][11] += 1  # type: ignore[index]
    return [ids]


def _statuses(tables: Tables, shape: Shape, now: int, rng: random.Random, ids: list[int]) -> None:
    start = now - 100 * DAY_MS - 60_000
    step = (100 * DAY_MS) / shape.statuses
    tag_ids = {name: 1000 + n for n, name in enumerate(HASHTAGS)}
    for name, tag_id in tag_ids.items():
        tables.add("tags", ["id", "name", "display_name", "created_at"], (tag_id, name, name, now))
    originals: list[int] = []
    by_author: list[list[int]] = [[] for _ in range(shape.accounts)]
    accounts = tables.rows["accounts"]
    for n in range(shape.statuses):
        ms = int(start + n * step)
        status_id = (ms << 16) | (n & 0xFFFF)
        author = rng.randrange(shape.accounts)
        username = f"user{author}"
        row = accounts[author]
        row[13] += 1  # type: ignore[index]
        row[14] = ms  # type: ignore[index]
        uri = f"{BASE}/users/{username}/statuses/{status_id}"
        if originals and rng.random() < shape.boost_share:
            target = rng.choice(originals)
            tables.add(
                "statuses",
                STATUS_COLUMNS,
                (
                    status_id,
                    ids[author],
                    uri + "/activity",
                    f"{BASE}/@{username}/{status_id}",
                    True,
                    "",
                    "",
                    "public",
                    False,
                    None,
                    target,
                    None,
                    0,
                    0,
                    ms,
                ),
            )
            by_author[author].append(status_id)
            continue
        tag = rng.choice(HASHTAGS) if rng.random() < 0.1 else None
        mentioned = rng.randrange(shape.accounts) if rng.random() < shape.mention_share else None
        text, html = _text(rng, tag, f"user{mentioned}" if mentioned is not None else None)
        tables.add(
            "statuses",
            STATUS_COLUMNS,
            (
                status_id,
                ids[author],
                uri,
                f"{BASE}/@{username}/{status_id}",
                True,
                text,
                html,
                "public",
                False,
                "sv",
                None,
                status_id,
                0,
                0,
                ms,
            ),
        )
        by_author[author].append(status_id)
        originals.append(status_id)
        if tag:
            tables.add("statuses_tags", ["status_id", "tag_id"], (status_id, tag_ids[tag]))
        if mentioned is not None:
            tables.add(
                "mentions",
                ["id", "status_id", "account_id"],
                (status_id, status_id, ids[mentioned]),
            )
        if rng.random() < shape.media_share:
            meta = '{"original":{"width":640,"height":480,"size":"640x480","aspect":1.3333333333333333},"small":{"width":640,"height":480,"size":"640x480","aspect":1.3333333333333333}}'
            tables.add(
                "media_attachments",
                [
                    "id",
                    "account_id",
                    "status_id",
                    "type",
                    "content_type",
                    "file_path",
                    "thumbnail_path",
                    "file_size",
                    "description",
                    "blurhash",
                    "meta",
                    "created_at",
                ],
                (
                    status_id,
                    ids[author],
                    status_id,
                    "image",
                    "image/jpeg",
                    f"attachments/{status_id}/original.jpg",
                    f"attachments/{status_id}/small.jpg",
                    40_000,
                    "En bild",
                    "LfDSXcj[M{jt0.azWBaz]}jst7j[",
                    meta,
                    ms,
                ),
            )
    _favourites(tables, shape, rng, ids, originals, now)
    _feeds(tables, ids, by_author)


def _feeds(tables: Tables, ids: list[int], by_author: list[list[int]]) -> None:
    """Each account's home feed: the newest FEED_CAP statuses of itself and whom it follows."""
    following: dict[int, list[int]] = {}
    index = {account_id: n for n, account_id in enumerate(ids)}
    for _id, follower, target, _at in tables.rows["follows"]:
        following.setdefault(index[follower], []).append(index[target])
    for n, account_id in enumerate(ids):
        authors = [n, *following.get(n, [])]
        streams = [((-s, a) for s in reversed(by_author[a])) for a in authors]
        for negative, author in itertools.islice(heapq.merge(*streams), FEED_CAP):
            tables.add(
                "home_feed",
                ["account_id", "status_id", "author_account_id"],
                (account_id, -negative, ids[author]),
            )


def _favourites(
    tables: Tables, shape: Shape, rng: random.Random, ids: list[int], originals: list[int], now: int
) -> None:
    seen: set[tuple[int, int]] = set()
    favourite_id = now << 16
    while len(seen) < shape.favourites:
        pair = (rng.randrange(shape.accounts), rng.choice(originals))
        if pair in seen:
            continue
        seen.add(pair)
        favourite_id += 1
        tables.add(
            "favourites",
            ["id", "account_id", "status_id", "created_at"],
            (favourite_id, ids[pair[0]], pair[1], now),
        )


def generate(kind: str) -> Tables:
    shape = SHAPES[kind]
    rng = random.Random(42)
    tables = Tables()
    now = int(time.time() * 1000)
    (ids,) = _accounts(tables, shape, now, rng)
    _statuses(tables, shape, now, rng, ids)
    tables.rows["accounts"] = [tuple(r) for r in tables.rows["accounts"]]
    return tables


ORDER = (
    "oauth_applications",
    "accounts",
    "users",
    "oauth_tokens",
    "follows",
    "tags",
    "statuses",
    "statuses_tags",
    "mentions",
    "media_attachments",
    "favourites",
    "home_feed",
)


def write_sqlite(url: str, tables: Tables) -> None:
    path = sqlite_path(url)
    assert path is not None
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    with db:
        for table in ORDER:
            if table not in tables.rows:
                continue
            columns = tables.columns[table]
            marks = ",".join("?" * len(columns))
            db.executemany(
                f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", tables.rows[table]
            )
    db.execute("ANALYZE")
    db.close()


async def write_postgres(url: str, tables: Tables) -> None:
    conn = await asyncpg.connect(url)
    try:
        for table in ORDER:
            if table in tables.rows:
                await conn.copy_records_to_table(
                    table, records=tables.rows[table], columns=list(tables.columns[table])
                )
        # As autovacuum leaves a running instance: statistics, and the visibility map that
        # lets index-only scans (fan-out reads followers from an index) skip the table.
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


def counts(tables: Tables) -> Iterator[str]:
    for table in ORDER:
        yield f"{table}={len(tables.rows.get(table, []))}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(SHAPES))
    parser.add_argument("database_url")
    args = parser.parse_args()
    started = time.perf_counter()
    upgrade(args.database_url)
    tables = generate(args.kind)
    generated = time.perf_counter()
    if args.database_url.startswith("sqlite:"):
        write_sqlite(args.database_url, tables)
    else:
        asyncio.run(write_postgres(args.database_url, tables))
    print(
        f"dataset {args.kind}: generated in {generated - started:.1f} s, written in "
        f"{time.perf_counter() - generated:.1f} s: {' '.join(counts(tables))}"
    )


if __name__ == "__main__":
    main()
