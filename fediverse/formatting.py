"""Local post text to HTML, with mentions resolved against the accounts we know."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from databases.core import Connection
from sqlalchemy import and_, func, or_, select

from activitypub.html import FormattedText, format_plain_text
from fediverse.storage.tables import accounts


@dataclass(frozen=True, slots=True)
class Formatted:
    html: str
    mentioned_account_ids: tuple[int, ...]
    tags: tuple[str, ...]


def _split(acct: str, local_domain: str) -> tuple[str, str | None]:
    username, _, domain = acct.lower().partition("@")
    return username, (None if not domain or domain == local_domain else domain)


async def _known_accounts(
    conn: Connection, accts: list[str], local_domain: str
) -> dict[tuple[str, str | None], Any]:
    """Accounts named by ``user`` or ``user@domain``, in one query."""
    if not accts:
        return {}
    wanted = {_split(a, local_domain) for a in accts}
    conditions = [
        and_(
            func.lower(accounts.c.username) == username,
            accounts.c.domain.is_(None)
            if domain is None
            else func.lower(accounts.c.domain) == domain,
        )
        for username, domain in wanted
    ]
    rows = await conn.fetch_all(
        select(
            accounts.c.id, accounts.c.username, accounts.c.domain, accounts.c.url, accounts.c.uri
        ).where(or_(*conditions), accounts.c.suspended_at.is_(None))
    )
    return {
        (
            r._mapping["username"].lower(),
            (r._mapping["domain"] or None) and r._mapping["domain"].lower(),
        ): r._mapping
        for r in rows
    }


async def format_status_text(
    conn: Connection, text: str, *, base_url: str, local_domain: str
) -> Formatted:
    """Mastodon's HTML for a local post; mentions of accounts we do not know stay text."""
    seen: list[str] = []

    def collect(acct: str) -> None:
        seen.append(acct)
        return None

    format_plain_text(text, collect, lambda tag: "")
    known = await _known_accounts(conn, seen, local_domain)
    ids: list[int] = []

    def resolve(acct: str) -> str | None:
        row = known.get(_split(acct, local_domain))
        if row is None:
            return None
        if row["id"] not in ids:
            ids.append(row["id"])
        return str(row["url"] or row["uri"])

    result: FormattedText = format_plain_text(
        text, resolve, lambda tag: f"{base_url}/tags/{quote(tag.lower())}"
    )
    return Formatted(result.html, tuple(ids), result.tags)


async def format_note(conn: Connection, text: str, *, base_url: str, local_domain: str) -> str:
    return (await format_status_text(conn, text, base_url=base_url, local_domain=local_domain)).html
