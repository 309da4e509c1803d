"""What a group is, and who stands where in it: the values, their checks, and the queries
every part of groups asks (fediverse.groups and fediverse.groups_posting build on these).

A group is an account with ``actor_type = 'Group'`` and a row in ``groups``. Membership is
the follow relation (members follow the group), a ban is a block by the group, and
``group_memberships`` holds the roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import select

from fediverse.accounts import USERNAME
from fediverse.errors import ValidationError
from fediverse.storage.tables import accounts, blocks, follows, group_memberships, groups

PRIVACIES = ("internal", "closed", "open")
ROLES = ("member", "moderator", "admin")
DECIDING_ROLES = ("moderator", "admin")  # the roles that moderate: decide join requests, ban
MAX_PARTNERS = 100
_DOMAIN_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.-:")


@dataclass(frozen=True, slots=True)
class NewGroup:
    """What a member of staff gives to create a group."""

    username: str
    display_name: str = ""
    note: str = ""
    privacy: str = "internal"
    partner_domains: tuple[str, ...] = ()
    moderators_only_start_threads: bool = False


@dataclass(frozen=True, slots=True)
class GroupChange:
    """An edit of a group; None leaves a field as it is."""

    display_name: str | None = None
    note: str | None = None
    privacy: str | None = None
    partner_domains: tuple[str, ...] | None = None
    moderators_only_start_threads: bool | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A group, local (with its settings) or remote (what its actor document told us)."""

    id: int
    username: str
    domain: str | None
    uri: str
    display_name: str
    note: str
    locked: bool
    privacy: str
    partner_domains: tuple[str, ...]
    moderators_only_start_threads: bool
    members_count: int
    created_at: int

    @property
    def is_local(self) -> bool:
        return self.domain is None

    @property
    def federated(self) -> bool:
        return not self.is_local or self.privacy != "internal"


@dataclass(frozen=True, slots=True)
class Member:
    """A member, a pending member or a banned account of a group."""

    account_id: int
    role: str
    state: str  # member, pending, banned
    since: int


def check_partner_domains(domains: Sequence[str]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(d.strip().lower() for d in domains if d.strip()))
    if len(found) > MAX_PARTNERS:
        raise ValidationError(f"partner_domains may list at most {MAX_PARTNERS} domains")
    for domain in found:
        if ("." not in domain and ":" not in domain) or not set(domain) <= _DOMAIN_CHARS:
            raise ValidationError(f"partner_domains: {domain!r} is not a domain")
    return found


def check_privacy(privacy: str) -> str:
    if privacy not in PRIVACIES:
        raise ValidationError(f"privacy must be one of {', '.join(PRIVACIES)}")
    return privacy


def check_new_group(new: NewGroup) -> NewGroup:
    username = new.username.strip().lower()
    if not USERNAME.match(username):
        raise ValidationError(
            "name must be 1-30 characters: lower-case letters a-z, digits and underscores"
        )
    if len(new.display_name) > 200:
        raise ValidationError("display_name must be at most 200 characters")
    if len(new.note) > 2000:
        raise ValidationError("note must be at most 2000 characters")
    return NewGroup(
        username,
        new.display_name.strip(),
        new.note.strip(),
        check_privacy(new.privacy),
        check_partner_domains(new.partner_domains),
        new.moderators_only_start_threads,
    )


def note_html(text: str) -> str:
    """A group's description as HTML paragraphs."""
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())


GROUP_COLUMNS = (
    accounts.c.id,
    accounts.c.username,
    accounts.c.domain,
    accounts.c.uri,
    accounts.c.display_name,
    accounts.c.note,
    accounts.c.locked,
    groups.c.privacy,
    groups.c.partner_domains,
    groups.c.moderators_only_start_threads,
    accounts.c.followers_count,
    accounts.c.created_at,
)
GROUPS_JOIN = accounts.outerjoin(groups, groups.c.account_id == accounts.c.id)


def group_from_row(row: Any) -> Group:
    m = row._mapping
    local = m["domain"] is None
    privacy = m["privacy"] or ("closed" if m["locked"] else "open")
    return Group(
        id=int(m["id"]),
        username=m["username"],
        domain=m["domain"],
        uri=m["uri"],
        display_name=m["display_name"],
        note=m["note"],
        locked=bool(m["locked"]),
        privacy=privacy if local else ("closed" if m["locked"] else "open"),
        partner_domains=tuple(orjson.loads(m["partner_domains"] or "[]")),
        moderators_only_start_threads=bool(m["moderators_only_start_threads"]),
        members_count=int(m["followers_count"]),
        created_at=int(m["created_at"]),
    )


async def group_on(conn: Connection, group_id: int) -> Group | None:
    """A group by account id, local or remote; None when the account is no group."""
    row = await conn.fetch_one(
        select(*GROUP_COLUMNS)
        .select_from(GROUPS_JOIN)
        .where(
            accounts.c.id == group_id,
            accounts.c.actor_type == "Group",
            accounts.c.suspended_at.is_(None),
        )
    )
    return None if row is None else group_from_row(row)


async def groups_among(conn: Connection, account_ids: Sequence[int]) -> list[Group]:
    """The groups among some accounts (the mentioned ones of a post, say)."""
    if not account_ids:
        return []
    rows = await conn.fetch_all(
        select(*GROUP_COLUMNS)
        .select_from(GROUPS_JOIN)
        .where(
            accounts.c.id.in_(list(account_ids)),
            accounts.c.actor_type == "Group",
            accounts.c.suspended_at.is_(None),
        )
        .order_by(accounts.c.id)
    )
    return [group_from_row(r) for r in rows]


async def is_member(conn: Connection, group_id: int, account_id: int) -> bool:
    found = await conn.fetch_val(
        select(follows.c.id).where(
            follows.c.account_id == account_id, follows.c.target_account_id == group_id
        )
    )
    return found is not None


async def is_banned(conn: Connection, group_id: int, account_id: int) -> bool:
    found = await conn.fetch_val(
        select(blocks.c.id).where(
            blocks.c.account_id == group_id, blocks.c.target_account_id == account_id
        )
    )
    return found is not None


async def role_of(conn: Connection, group_id: int, account_id: int) -> str | None:
    """``admin``, ``moderator`` or ``member`` for a member, None for anyone else."""
    if not await is_member(conn, group_id, account_id):
        return None
    found = await conn.fetch_val(
        select(group_memberships.c.role).where(
            group_memberships.c.group_account_id == group_id,
            group_memberships.c.account_id == account_id,
        )
    )
    return str(found or "member")


async def is_moderator(conn: Connection, group_id: int, account_id: int) -> bool:
    return await role_of(conn, group_id, account_id) in DECIDING_ROLES
