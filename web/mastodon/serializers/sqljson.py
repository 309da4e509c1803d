"""Status and Account entities written by the database, for the home timeline.

The home timeline is the request every app makes most. Built in Python, a page of 40
statuses costs about a millisecond of the one interpreter lock a process has, and the
process's other work waits for it. Written by the database it costs none: SQLite builds the
text on the reader's thread with the lock released, PostgreSQL in its own process. So one
query returns the whole page as a JSON array, with the viewer's marks and polls, its ids for
the ``Link`` header, and whether the viewer has filters (then Python parses the page and
applies them, as ``render.statuses_json`` does).

The Python serializers (``statuses``, ``accounts``) stay the reference: every field here is
theirs, and tests/web/mastodon/test_sqljson.py checks, on both databases, that the two write
the same entities for the same statuses.

Each value is typed (text, number, boolean or JSON) so that each database writes it its own
way: SQLite has no JSON booleans (a JSON constant stands in) and may forget past a subquery
that a text is JSON (``json()`` reminds it), PostgreSQL's ``json_build_object`` takes them
as they are. Authors and the viewer's marks are joined to the page; media, mentions, tags
and polls are subqueries per status. Joining text by hand (on SQLite), and grouping the
page's media and mentions in CTEs, both measured slower (bench/RESULTS.md).

On PostgreSQL the fields an account or a status has from its own row (an account's with its
department) are not written per request: triggers keep them in the row's ``own_fields``
whenever it is written (migration 0010, ``own_fields_object``), and the page adds what
comes from elsewhere (images, media, mentions, tags, the viewer's marks). That took a page
from 1.8 to about 1.1 ms of PostgreSQL's time; SQLite writes the page on a thread of ours
and needs none of it.

All SQL here is built from our own names and the instance's base URL (a setting, quoted as
a literal); nothing from a request is ever formatted into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import orjson

from fediverse.errors import NotFoundError
from fediverse.feeds import home_rows_args, home_rows_sql
from fediverse.filters import ActiveFilters, active_filters_plan
from fediverse.ids import now_ms
from fediverse.paging import PageQuery
from fediverse.rawsql import Plan, Query
from fediverse.storage.functions import SQLITE_QUOTE
from fediverse.timelines import MAX_ID
from web.mastodon.serializers.common import DEFAULT_AVATAR, DEFAULT_HEADER


@dataclass(frozen=True, slots=True)
class V:
    """A value of an entity: ``kind`` is s (text), n (number), b (boolean) or j (JSON)."""

    kind: str
    sql: str


# The four kinds, as letters: they read best beside the SQL they wrap.
def S(sql: str) -> V:
    return V("s", sql)


def N(sql: str) -> V:
    return V("n", sql)


def B(sql: str) -> V:
    return V("b", sql)


def J(sql: str) -> V:
    return V("j", sql)


Pairs = Sequence[tuple[str, V]]


@dataclass(frozen=True, slots=True)
class Dialect:
    """How each database writes the pieces of an entity."""

    postgres: bool
    # Whether accounts and statuses carry their own fields already written: ``own_fields``,
    # kept by PostgreSQL's triggers (see ``own_fields_object``).
    kept: bool = False

    def value(self, v: V) -> str:
        """``v`` as an argument of the database's JSON object builder."""
        if v.kind == "b":
            if self.postgres:
                return f"coalesce(({v.sql}), false)"
            return f"CASE WHEN {v.sql} THEN json('true') ELSE json('false') END"
        return v.sql

    def obj(self, pairs: Pairs) -> str:
        function = "json_build_object" if self.postgres else "json_object"
        return f"{function}(" + ", ".join(f"'{k}', {self.value(v)}" for k, v in pairs) + ")"

    def sub(self, query: str) -> str:
        """A scalar subquery's JSON, as JSON (SQLite may forget, past a subquery, that a
        text is JSON)."""
        return f"({query})" if self.postgres else f"json(({query}))"

    def array(self, element: V, source: str, order: str, *, probe: str = "") -> str:
        """A JSON array of ``element`` for each row of ``source``, in ``order``; [] if none.
        With ``probe`` (a FROM of one table), an index probe first: most statuses have no
        media, mentions or tags, and an empty aggregate still costs its sorter and joins."""
        if self.postgres:
            item = element.sql if element.kind == "j" else f"to_json({self.value(element)})"
            found = f"coalesce((SELECT json_agg({item} ORDER BY {order}) {source}), '[]'::json)"
        else:
            item = "json(e)" if element.kind == "j" else "e"
            found = self.sub(
                f"SELECT json_group_array({item}) FROM "
                f"(SELECT {self.value(element)} AS e {source} ORDER BY {order})"
            )
        if not probe:
            return found
        return f"CASE WHEN EXISTS (SELECT 1 {probe}) THEN {found} ELSE {self.const('[]')} END"

    def kept_obj(self, row: str, pairs: Pairs) -> str:
        """The object of ``row``'s kept ``own_fields`` and ``pairs`` (PostgreSQL), joined as
        text in one ``concat``: writing ``pairs`` as an object to cut its braces off again
        cost 5-15% more a page."""
        members = [f"', \"{k}\" : ', {self.json_text(v)}" for k, v in pairs]
        return f"concat('{{', {row}.own_fields, {', '.join(members)}, '}}')"

    def json_text(self, v: V) -> str:
        """``v`` as the text of its JSON (PostgreSQL), as ``json_build_object`` writes it."""
        if v.kind == "b":
            return f"CASE WHEN {v.sql} THEN 'true' ELSE 'false' END"
        if v.kind == "s":
            return f"coalesce(to_json(({v.sql})::text)::text, 'null')"
        return f"coalesce(({v.sql})::text, 'null')"

    def const(self, json_text: str) -> str:
        return f"'{json_text}'::json" if self.postgres else f"json('{json_text}')"

    def as_text(self, json_sql: str) -> str:
        return f"({json_sql})::text" if self.postgres else json_sql

    def literal(self, text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def text(self, x: str) -> str:
        return f"CAST({x} AS TEXT)"

    def flag(self, x: str) -> str:
        """A boolean column as a condition: 0/1 on SQLite, a boolean on PostgreSQL."""
        return x if self.postgres else f"({x} <> 0)"

    def time(self, x: str) -> str:
        """Unix milliseconds as ``2026-11-27T09:00:00.000Z`` (null stays null)."""
        if self.postgres:
            return (
                f"to_char(to_timestamp({x} / 1000) AT TIME ZONE 'UTC', "
                f"'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad(({x} % 1000)::text, 3, '0') || 'Z'"
            )
        # %f is the seconds with their milliseconds; SQLite keeps time in whole milliseconds,
        # so this is exact (checked against iso_time over 200,000 random times).
        return f"strftime('%Y-%m-%dT%H:%M:%fZ', {x} / 1000.0, 'unixepoch')"

    def date(self, x: str) -> str:
        if self.postgres:
            return f"to_char(to_timestamp({x} / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        return f"strftime('%Y-%m-%d', {x} / 1000, 'unixepoch')"

    def json_column(self, x: str, default: str) -> str:
        """A text column holding JSON, as JSON."""
        if self.postgres:
            return f"coalesce(nullif({x}, ''), '{default}')::json"
        return f"json(coalesce(nullif({x}, ''), '{default}'))"

    def url_path(self, x: str) -> str:
        """``x`` percent-encoded as urllib.parse.quote does."""
        if self.postgres:
            # Character by character only for a name that needs it: most need nothing.
            return (
                f"CASE WHEN {x} ~ '^[A-Za-z0-9_.~/-]*$' THEN {x} ELSE "
                "(SELECT string_agg(CASE WHEN ch ~ '^[A-Za-z0-9_.~/-]$' THEN ch ELSE "
                "regexp_replace(upper(encode(convert_to(ch, 'UTF8'), 'hex')), '(..)', '%\\1', "
                f"'g') END, '' ORDER BY n) FROM regexp_split_to_table({x}, '') "
                "WITH ORDINALITY AS chars(ch, n)) END"
            )
        # Our function takes the GIL from inside the query, which stalls the reader until the
        # event loop lets go of it: only for a name that needs it.
        return f"CASE WHEN {x} GLOB '*[^A-Za-z0-9_.~/-]*' THEN {SQLITE_QUOTE}({x}) ELSE {x} END"


SQLITE = Dialect(postgres=False)
POSTGRES = Dialect(postgres=True, kept=True)
POSTGRES_ROW = Dialect(postgres=True)  # what the triggers write (own_fields_object)


def _or(x: str, y: str) -> str:
    """Python's ``x or y`` for text: an empty string counts as missing."""
    return f"coalesce(nullif({x}, ''), {y})"


def _media_url(d: Dialect, base: str, path: str) -> str:
    return f"CASE WHEN {path} <> '' THEN {d.literal(base + '/media/')} || {path} END"


def _image(d: Dialect, base: str, path: str, remote: str, default: str) -> str:
    fallback = d.literal(base + default)
    return f"coalesce({_media_url(d, base, path)}, nullif({remote}, ''), {fallback})"


def _acct(alias: str) -> str:
    return (
        f"CASE WHEN {alias}.domain IS NULL THEN {alias}.username "
        f"ELSE {alias}.username || '@' || {alias}.domain END"
    )


def _fields(d: Dialect, column: str) -> str:
    """``accounts._fields``: each object's name, value (its HTML if any) and verified_at."""
    if d.postgres:
        element = d.obj(
            [
                ("name", S("coalesce(f.e->>'name', '')")),
                (
                    "value",
                    S(
                        "CASE WHEN f.e::jsonb -> 'value_html' IS NOT NULL "
                        "THEN f.e->>'value_html' ELSE coalesce(f.e->>'value', '') END"
                    ),
                ),
                ("verified_at", J("f.e->'verified_at'")),
            ]
        )
        source = (
            f"FROM json_array_elements({d.json_column(column, '[]')}) WITH ORDINALITY "
            "AS f(e, n) WHERE json_typeof(f.e) = 'object'"
        )
        return _unless_empty(d, column, d.array(J(element), source, "f.n"))
    element = d.obj(
        [
            ("name", S("coalesce(f.value ->> '$.name', '')")),
            (
                "value",
                S(
                    "CASE WHEN json_type(f.value, '$.value_html') IS NOT NULL "
                    "THEN f.value ->> '$.value_html' "
                    "ELSE coalesce(f.value ->> '$.value', '') END"
                ),
            ),
            ("verified_at", J("f.value -> '$.verified_at'")),
        ]
    )
    source = f"FROM json_each({d.json_column(column, '[]')}) f WHERE f.type = 'object'"
    return _unless_empty(d, column, d.array(J(element), source, "f.id"))


def _unless_empty(d: Dialect, column: str, array: str) -> str:
    """``array``, but no subquery where the list column is empty, as most are."""
    return f"CASE WHEN coalesce({column}, '') IN ('', '[]') THEN {d.const('[]')} ELSE {array} END"


def _string_list(d: Dialect, column: str) -> str:
    """``staff_profiles.json_list``: a JSON list column as a list of strings."""
    if d.postgres:
        source = (
            f"FROM json_array_elements_text({d.json_column(column, '[]')}) "
            "WITH ORDINALITY AS v(t, n)"
        )
        return _unless_empty(d, column, d.array(S("v.t"), source, "v.n"))
    listed = f"CASE WHEN json_valid({column}) AND json_type({column}) = 'array' THEN {column} END"
    source = f"FROM json_each(coalesce({listed}, '[]')) v"
    return _unless_empty(d, column, d.array(S("CAST(v.value AS TEXT)"), source, "v.id"))


def account_own(d: Dialect, a: str, department: str | None = None) -> Pairs:
    """The fields of ``serialize_account`` that come from account ``a``'s own row, with its
    department's name: ``department`` (SQL), else the joined ``{a}dp`` (``account_joins``)."""
    return [
        ("id", S(d.text(f"{a}.id"))),
        ("username", S(f"{a}.username")),
        ("acct", S(_acct(a))),
        ("display_name", S(f"{a}.display_name")),
        ("locked", B(d.flag(f"{a}.locked"))),
        ("bot", B(f"{d.flag(a + '.bot')} OR {a}.actor_type IN ('Service', 'Application')")),
        ("discoverable", B(d.flag(f"{a}.discoverable"))),
        ("indexable", B(d.flag(f"{a}.discoverable"))),
        ("group", B(f"{a}.actor_type = 'Group'")),
        ("created_at", S(f"{d.date(a + '.created_at')} || 'T00:00:00.000Z'")),
        ("note", S(f"{a}.note")),
        ("url", S(_or(f"{a}.url", f"{a}.uri"))),
        ("uri", S(f"{a}.uri")),
        ("followers_count", N(f"{a}.followers_count")),
        ("following_count", N(f"{a}.following_count")),
        ("statuses_count", N(f"{a}.statuses_count")),
        ("last_status_at", S(d.date(f"{a}.last_status_at"))),
        ("hide_collections", J(d.const("false"))),
        ("noindex", B(f"NOT {d.flag(a + '.discoverable')}")),
        ("emojis", J(d.const("[]"))),
        ("roles", J(d.const("[]"))),
        ("fields", J(_fields(d, f"{a}.fields"))),
        ("kollegium", J(_staff(d, a, department or f"{a}dp.name"))),
    ]


def _staff(d: Dialect, a: str, department: str) -> str:
    """``staff_profiles``' entity: the account's staff fields and department (its name)."""
    unit = d.obj([("id", S(d.text(f"{a}.department_id"))), ("name", S(department))])
    return d.obj(
        [
            ("title", S(f"coalesce({a}.title, '')")),
            ("department", J(f"CASE WHEN {department} IS NOT NULL THEN {unit} END")),
            ("phone", S(f"coalesce({a}.phone, '')")),
            ("workplace", S(f"coalesce({a}.workplace, '')")),
            ("languages", J(_string_list(d, f"{a}.languages"))),
            ("ask_me_about", J(_string_list(d, f"{a}.ask_me_about"))),
        ]
    )


def account_joined(d: Dialect, base: str, a: str) -> Pairs:
    """The rest: from its avatar ``{a}av`` and header ``{a}hd`` (see ``account_joins``), and
    the instance's base URL."""
    av, hd = f"{a}av", f"{a}hd"
    avatar = S(_image(d, base, f"{av}.file_path", f"{a}.avatar_remote_url", DEFAULT_AVATAR))
    header = S(_image(d, base, f"{hd}.file_path", f"{a}.header_remote_url", DEFAULT_HEADER))
    return [
        ("avatar", avatar),
        ("avatar_static", avatar),
        ("header", header),
        ("header_static", header),
    ]


def account_json(d: Dialect, base: str, a: str) -> str:
    """``serialize_account`` (for a signed-in viewer) of account alias ``a``, joined with its
    avatar, header and department (see ``account_joins``)."""
    if d.kept:
        return d.kept_obj(a, account_joined(d, base, a))
    return d.obj([*account_own(d, a), *account_joined(d, base, a)])


def media_json(d: Dialect, base: str, s: str) -> str:
    url = f"coalesce({_media_url(d, base, 'm.file_path')}, m.remote_url)"
    meta = d.json_column("m.meta", "{}")
    if d.postgres:
        focus = (
            "jsonb_build_object('focus', jsonb_build_object("
            "'x', m.focus_x::float8 / 1000, 'y', m.focus_y::float8 / 1000))"
        )
        with_focus = f"(({meta})::jsonb || {focus})::json"
    else:
        focus = d.obj([("x", N("m.focus_x / 1000.0")), ("y", N("m.focus_y / 1000.0"))])
        with_focus = f"json_set({meta}, '$.focus', {focus})"
    element = d.obj(
        [
            ("id", S(d.text("m.id"))),
            ("type", S("m.type")),
            ("url", S(url)),
            ("preview_url", S(f"coalesce({_media_url(d, base, 'm.thumbnail_path')}, {url})")),
            ("remote_url", S("m.remote_url")),
            ("preview_remote_url", J("NULL")),
            ("text_url", J("NULL")),
            ("meta", J(f"CASE WHEN m.focus_x IS NULL THEN {meta} ELSE {with_focus} END")),
            ("description", S("nullif(m.description, '')")),
            ("blurhash", S("m.blurhash")),
        ]
    )
    source = f"FROM media_attachments m WHERE m.status_id = {s}.id"
    return d.array(J(element), source, "m.id", probe=source)


def mentions_json(d: Dialect, s: str) -> str:
    element = d.obj(
        [
            ("id", S(d.text("ma.id"))),
            ("username", S("ma.username")),
            ("url", S(_or("ma.url", "ma.uri"))),
            ("acct", S(_acct("ma"))),
        ]
    )
    silent = "false" if d.postgres else "0"
    source = (
        "FROM mentions mn JOIN accounts ma ON ma.id = mn.account_id "
        f"WHERE mn.status_id = {s}.id AND mn.silent = {silent}"
    )
    probe = f"FROM mentions mp WHERE mp.status_id = {s}.id AND mp.silent = {silent}"
    return d.array(J(element), source, "mn.id", probe=probe)


def tags_json(d: Dialect, base: str, s: str) -> str:
    url = f"{d.literal(base + '/tags/')} || {d.url_path('t.name')}"
    element = d.obj([("name", S("t.name")), ("url", S(url))])
    source = f"FROM statuses_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id = {s}.id"
    probe = f"FROM statuses_tags sp WHERE sp.status_id = {s}.id"
    return d.array(J(element), source, "st.tag_id", probe=probe)


def _reblogged(s: str) -> V:
    return B(
        "EXISTS (SELECT 1 FROM statuses rb WHERE rb.account_id = hf.account_id "
        f"AND rb.reblog_of_id = {s}.id)"
    )


def _marked(mark: str) -> V:
    """Whether the viewer marked the status: joined (``mark_joins``), as each table holds one
    row at most for a viewer and a status."""
    return B(f"{mark}.account_id IS NOT NULL")


def mark_joins(s: str) -> str:
    return "".join(
        f"LEFT JOIN {table} {s}{suffix} ON {s}{suffix}.account_id = hf.account_id "
        f"AND {s}{suffix}.status_id = {s}.id "
        for table, suffix in (("favourites", "fv"), ("bookmarks", "bm"), ("status_pins", "pn"))
    )


def application(d: Dialect, s: str) -> V:
    """The application a status was posted with, shown to its author only."""
    app = d.obj([("name", S("ap.name")), ("website", S("ap.website"))])
    return J(
        f"CASE WHEN {s}.account_id = hf.account_id THEN "
        f"{d.sub(f'SELECT {app} FROM oauth_applications ap WHERE ap.id = {s}.application_id')} END"
    )


def sensitive(d: Dialect, s: str, author: str) -> V:
    return B(f"{d.flag(f'{s}.sensitive')} OR {author}.sensitized_at IS NOT NULL")


def row_fields(d: Dialect, s: str) -> list[tuple[str, V]]:
    """What a status entity has from its own row alone (``_shared`` and ``_original`` in the
    serializer), but its content."""
    return [
        ("id", S(d.text(f"{s}.id"))),
        ("created_at", S(d.time(f"{s}.created_at"))),
        ("in_reply_to_id", S(d.text(f"{s}.in_reply_to_id"))),
        ("in_reply_to_account_id", S(d.text(f"{s}.in_reply_to_account_id"))),
        ("spoiler_text", S(f"{s}.spoiler_text")),
        ("visibility", S(f"{s}.visibility")),
        ("language", S(f"{s}.language")),
        ("uri", S(f"{s}.uri")),
        ("url", S(_or(f"{s}.url", f"{s}.uri"))),
        ("replies_count", N(f"{s}.replies_count")),
        ("reblogs_count", N(f"{s}.reblogs_count")),
        ("favourites_count", N(f"{s}.favourites_count")),
        ("edited_at", S(d.time(f"{s}.edited_at"))),
        ("local_only", B(d.flag(f"{s}.local_only"))),
        ("emojis", J(d.const("[]"))),
        ("card", J("NULL")),
        ("filtered", J(d.const("[]"))),
        ("muted", J(d.const("false"))),
    ]


def status_own(d: Dialect, s: str) -> Pairs:
    """The fields of status ``s`` (not a reblog) that come from its own row."""
    return [*row_fields(d, s), ("content", S(f"{s}.content"))]


def status_joined(d: Dialect, base: str, s: str, author: str) -> Pairs:
    """The rest: from its author, media, mentions and tags, and the feed's owner (``hf``)."""
    return [
        ("sensitive", sensitive(d, s, author)),
        ("application", application(d, s)),
        ("media_attachments", J(media_json(d, base, s))),
        ("mentions", J(mentions_json(d, s))),
        ("tags", J(tags_json(d, base, s))),
        ("favourited", _marked(f"{s}fv")),
        ("reblogged", _reblogged(s)),
        ("bookmarked", _marked(f"{s}bm")),
        ("pinned", _marked(f"{s}pn")),
    ]


def status_json(d: Dialect, base: str, s: str, author: str) -> str:
    """Status ``s`` (not a reblog) by ``author``, as the feed's owner (``hf``) sees it."""
    if d.kept:
        return d.kept_obj(s, status_joined(d, base, s, author))
    return d.obj([*status_own(d, s), *status_joined(d, base, s, author)])


def reblog_json(d: Dialect, s: str, author: str, original: str) -> str:
    """A reblog's own entity: its row's fields and the original's marks (``_reblog``)."""
    return d.obj(
        [
            *row_fields(d, s),
            ("sensitive", sensitive(d, s, author)),
            ("application", application(d, s)),
            ("content", S("''")),
            ("media_attachments", J(d.const("[]"))),
            ("mentions", J(d.const("[]"))),
            ("tags", J(d.const("[]"))),
            ("favourited", _marked(f"{original}fv")),
            ("reblogged", _reblogged(original)),
            ("bookmarked", _marked(f"{original}bm")),
            ("pinned", J(d.const("false"))),
        ]
    )


def poll_json(d: Dialect, s: str) -> str:
    """``serialize_poll`` of the poll of status ``s``, for the feed's owner, at the time
    ``hf.ms``; SQL null when it has none."""
    expired = "(p.expires_at IS NOT NULL AND p.expires_at <= hf.ms)"
    hide = f"({d.flag('p.hide_totals')} AND NOT {expired})"
    if d.postgres:
        tally = "coalesce((p.tallies::json->>(o.n - 1)::int)::bigint, 0)"
        source, order, title = (
            "FROM json_array_elements_text(p.options::json) WITH ORDINALITY AS o(t, n)",
            "o.n",
            "o.t",
        )
    else:
        tally = "coalesce(json_extract(p.tallies, '$[' || o.key || ']'), 0)"
        source, order, title = "FROM json_each(p.options) o", "o.id", "o.value"
    option = d.obj(
        [("title", S(title)), ("votes_count", N(f"CASE WHEN {hide} THEN NULL ELSE {tally} END"))]
    )
    own = "FROM poll_votes pv WHERE pv.poll_id = p.id AND pv.account_id = hf.account_id"
    entity = d.obj(
        [
            ("id", S(d.text("p.id"))),
            ("expires_at", S(d.time("p.expires_at"))),
            ("expired", B(expired)),
            ("multiple", B(d.flag("p.multiple"))),
            ("votes_count", N("p.votes_count")),
            (
                "voters_count",
                N(f"CASE WHEN {d.flag('p.multiple')} THEN p.voters_count ELSE p.votes_count END"),
            ),
            ("options", J(d.array(J(option), source, order))),
            ("emojis", J(d.const("[]"))),
            ("voted", B(f"EXISTS (SELECT 1 {own})")),
            ("own_votes", J(d.array(N("pv.choice"), own, "pv.choice"))),
        ]
    )
    poll = f"(SELECT {d.as_text(entity)} FROM polls p WHERE p.id = {s}.poll_id)"
    return f"CASE WHEN {s}.poll_id IS NOT NULL THEN {poll} END"


def account_joins(d: Dialect, a: str, owner: str) -> str:
    """Joins for ``account_json``: account ``a`` of ``owner``'s column, its images and
    department (LEFT: a reblog's original may be missing). Kept fields hold the
    department already."""
    joins = (
        f"LEFT JOIN accounts {a} ON {a}.id = {owner} "
        f"LEFT JOIN media_attachments {a}av ON {a}av.id = {a}.avatar_media_id "
        f"LEFT JOIN media_attachments {a}hd ON {a}hd.id = {a}.header_media_id "
    )
    if d.kept:
        return joins
    return joins + f"LEFT JOIN departments {a}dp ON {a}dp.id = {a}.department_id "


def _entity(d: Dialect, account: str, reblog: str, poll: str, own: str) -> str:
    """An entity's text: its account, reblog and poll, then the status's own fields."""
    return (
        f"'{{\"account\":' || {account} || ',\"reblog\":' || {reblog} "
        f"|| ',\"poll\":' || coalesce({poll}, 'null') || ',' || substr({d.as_text(own)}, 2)"
    )


# An account's department, for its trigger; renaming a department writes its accounts again.
DEPARTMENT_OF_NEW = "(SELECT dn.name FROM departments dn WHERE dn.id = NEW.department_id)"


def own_fields_object(table: str) -> str:
    """What PostgreSQL's trigger on ``accounts`` or ``statuses`` writes, for the row ``NEW``
    being written, into its ``own_fields``: the entity's fields that come from the row alone,
    as a JSON object (kept without its braces).

    Most of a page's cost in PostgreSQL was writing these again for every request; a row is
    read far more often than it changes, and a trigger sees every change. The migration that
    made the triggers (0010) holds this text as it was then; a test compares the two, so a
    change here needs a migration that replaces the trigger's function.
    """
    d = POSTGRES_ROW
    if table == "statuses":
        return d.obj(status_own(d, "NEW"))
    return d.obj(account_own(d, "NEW", DEPARTMENT_OF_NEW))


def home_entity(d: Dialect, base: str) -> str:
    """The entity of a home feed row: status ``s`` by ``sa``, or its reblog of ``o`` by ``oa``."""
    s_account, o_account = (
        d.as_text(account_json(d, base, "sa")),
        d.as_text(account_json(d, base, "oa")),
    )
    inner = _entity(d, o_account, "'null'", poll_json(d, "o"), status_json(d, base, "o", "oa"))
    plain = _entity(d, s_account, "'null'", poll_json(d, "s"), status_json(d, base, "s", "sa"))
    wrapper = _entity(d, s_account, inner, "NULL", reblog_json(d, "s", "sa", "o"))
    return f"CASE WHEN o.id IS NULL THEN {plain} ELSE {wrapper} END"


# The home timeline's page (fediverse.timelines' query) as one JSON array, newest first, with
# its ids and whether the viewer has filters. The array comes as UTF-8 bytes, ready to send.
_HOME = (
    "SELECT {entities}, {ids}, EXISTS (SELECT 1 FROM filters fl WHERE fl.account_id = ?) "
    "FROM (SELECT s.id AS id, {entity} AS entity FROM ("
    # The page first (fediverse.feeds), in the feed's index order up to the limit; then its
    # entities.
    "SELECT feed.status_id, CAST(? AS BIGINT) AS account_id, CAST(? AS BIGINT) AS ms "
    "FROM ({rows}) AS feed) hf "
    "JOIN statuses s ON s.id = hf.status_id LEFT JOIN statuses o ON o.id = s.reblog_of_id "
    "{joins}ORDER BY s.id DESC) page"
)
_COLUMNS = ("entities", "ids", "filters")


@dataclass(frozen=True, slots=True)
class HomeSql:
    newest: str
    oldest: str
    one: str  # a status by its id, as the home timeline would show it


@lru_cache(maxsize=8)
def home_sql(postgres: bool, base: str) -> HomeSql:
    d = POSTGRES if postgres else SQLITE
    if postgres:
        entities = "convert_to(string_agg(page.entity, ',' ORDER BY page.id DESC), 'UTF8')"
        ids = "string_agg(page.id::text, ',' ORDER BY page.id DESC)"
    else:  # in the order of the page's rows
        entities, ids = "CAST(group_concat(page.entity, ',') AS BLOB)", "group_concat(page.id, ',')"
    joins = account_joins(d, "sa", "s.account_id") + account_joins(d, "oa", "o.account_id")
    joins += mark_joins("s") + mark_joins("o")
    parts = {"entities": entities, "ids": ids, "entity": home_entity(d, base), "joins": joins}
    return HomeSql(
        newest=_HOME.format(rows=home_rows_sql("DESC"), **parts),
        oldest=_HOME.format(rows=home_rows_sql("ASC"), **parts),
        one=_HOME.format(rows="SELECT CAST(? AS BIGINT) AS status_id", **parts),
    )


@dataclass(slots=True)
class JsonPage:
    """A page of the home timeline as JSON: the statuses' ids (newest first) and the body."""

    ids: list[int]
    body: bytes


def home_page_plan(
    account_id: int, page: PageQuery, base: str, *, postgres: bool
) -> Plan[JsonPage]:
    """The viewer's home timeline page, written by the database (see the module's note)."""
    sql = home_sql(postgres, base)
    query = sql.oldest if page.min_id is not None else sql.newest
    [row] = yield Query(query, _COLUMNS, home_args(account_id, page))
    if row["entities"] is None:
        return JsonPage([], b"[]")
    ids = [int(i) for i in row["ids"].split(",")]
    body = b"[" + row["entities"] + b"]"  # bytes as they are: no decoding, no encoding
    return (yield from filtered_page(account_id, JsonPage(ids, body), bool(row["filters"])))


def home_args(account_id: int, page: PageQuery) -> tuple[object, ...]:
    """The home page query's arguments, in the order of its placeholders."""
    upper = page.max_id if page.max_id is not None else MAX_ID
    lower = max(page.since_id or 0, page.min_id or 0)
    return (account_id, account_id, now_ms(), *home_rows_args(account_id, upper, lower, page.limit))


def filtered_page(account_id: int, page: JsonPage, filters: bool) -> Plan[JsonPage]:
    """``page`` with the viewer's filters applied, when ``filters`` says they have some."""
    if filters:
        active = (yield from active_filters_plan([account_id]))[account_id]
        if active:
            return JsonPage(page.ids, _filtered(page.body, active))
    return page


def own_status_plan(
    account_id: int, status_id: int, base: str, *, postgres: bool
) -> Plan[bytes | None]:
    """A status of the viewer's own (one they may see), as its entity in one query, or None
    when the viewer has filters, which the Python serializers apply."""
    sql = home_sql(postgres, base).one
    [row] = yield Query(sql, _COLUMNS, (account_id, account_id, now_ms(), status_id))
    if row["entities"] is None:
        raise NotFoundError("Record not found")
    return None if row["filters"] else bytes(row["entities"])


def _filtered(body: bytes, active: ActiveFilters) -> bytes:
    from web.mastodon.serializers.filters import apply_filters

    return orjson.dumps(apply_filters(orjson.loads(body), active, "home"))
