"""Polls attached to statuses, and votes on them."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from databases.core import Connection
from sqlalchemy import insert, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import poll_votes, polls, statuses
from fediverse.tasks import POLL_ENDED, schedule
from fediverse.visibility import can_see

MAX_OPTIONS = 4
MAX_OPTION_CHARS = 50
MIN_EXPIRATION_S = 300
MAX_EXPIRATION_S = 2_629_746


@dataclass(frozen=True, slots=True)
class NewPoll:
    options: tuple[str, ...]
    expires_in_s: int
    multiple: bool = False
    hide_totals: bool = False


def check_poll(poll: NewPoll) -> NewPoll:
    options = tuple(option.strip() for option in poll.options)
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise ValidationError(f"Validation failed: Poll must have 2 to {MAX_OPTIONS} options")
    if any(not option or len(option) > MAX_OPTION_CHARS for option in options):
        raise ValidationError(
            f"Validation failed: Poll options must be 1 to {MAX_OPTION_CHARS} characters"
        )
    if len(set(options)) != len(options):
        raise ValidationError("Validation failed: Poll options must be different")
    if not MIN_EXPIRATION_S <= poll.expires_in_s <= MAX_EXPIRATION_S:
        raise ValidationError(
            f"Validation failed: Poll duration must be {MIN_EXPIRATION_S} to "
            f"{MAX_EXPIRATION_S} seconds"
        )
    return NewPoll(options, poll.expires_in_s, poll.multiple, poll.hide_totals)


async def create_poll(
    store: Store, conn: Connection, *, status_id: int, account_id: int, poll: NewPoll
) -> int:
    poll_id, now = store.new_id(), now_ms()
    await conn.execute(
        insert(polls).values(
            id=poll_id,
            status_id=status_id,
            account_id=account_id,
            options=orjson.dumps(list(poll.options)).decode(),
            tallies=orjson.dumps([0] * len(poll.options)).decode(),
            multiple=poll.multiple,
            hide_totals=poll.hide_totals,
            expires_at=now + poll.expires_in_s * 1000,
            created_at=now,
        )
    )
    expires_at = now + poll.expires_in_s * 1000
    await schedule(store, conn, POLL_ENDED, {"poll_id": poll_id}, expires_at)
    return poll_id


async def vote(store: Store, account_id: int, poll_id: int, choices: list[int]) -> int:
    """Vote once on a poll the voter can see; returns the poll's status id."""
    async with store.write() as conn:
        row = await conn.fetch_one(
            select(polls)
            .join(statuses, statuses.c.id == polls.c.status_id)
            .where(polls.c.id == poll_id, can_see(account_id))
        )
        if row is None:
            raise NotFoundError("Record not found")
        poll = row._mapping
        tallies = _checked_tallies(poll, choices, account_id)
        already = await conn.fetch_val(
            select(poll_votes.c.id).where(
                poll_votes.c.poll_id == poll_id, poll_votes.c.account_id == account_id
            )
        )
        if already is not None:
            raise ValidationError("Validation failed: You have already voted on this poll")
        for choice in sorted(set(choices)):
            tallies[choice] += 1
            await conn.execute(
                insert(poll_votes).values(
                    id=store.new_id(),
                    poll_id=poll_id,
                    account_id=account_id,
                    choice=choice,
                    created_at=now_ms(),
                )
            )
        await conn.execute(
            update(polls)
            .where(polls.c.id == poll_id)
            .values(
                tallies=orjson.dumps(tallies).decode(),
                votes_count=polls.c.votes_count + len(set(choices)),
                voters_count=polls.c.voters_count + 1,
            )
        )
        return int(poll["status_id"])


def _checked_tallies(poll: object, choices: list[int], account_id: int) -> list[int]:
    row = dict(poll)  # type: ignore[call-overload]
    options = orjson.loads(row["options"])
    if row["expires_at"] is not None and row["expires_at"] <= now_ms():
        raise ValidationError("Validation failed: The poll has already ended")
    if row["account_id"] == account_id:
        raise ValidationError("Validation failed: You cannot vote on your own poll")
    if not choices or any(not 0 <= c < len(options) for c in choices):
        raise ValidationError("Validation failed: choices must name options of the poll")
    if len(set(choices)) > 1 and not row["multiple"]:
        raise ValidationError("Validation failed: This poll allows only one choice")
    tallies: list[int] = orjson.loads(row["tallies"] or "[]")
    return tallies + [0] * (len(options) - len(tallies))


async def status_of_poll(store: Store, poll_id: int) -> int:
    async with store.read() as conn:
        status_id = await conn.fetch_val(select(polls.c.status_id).where(polls.c.id == poll_id))
    if status_id is None:
        raise NotFoundError("Record not found")
    return int(status_id)
