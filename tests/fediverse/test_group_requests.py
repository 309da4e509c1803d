"""Join requests to a closed group reach the group's moderators, and go when decided."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from fediverse import groups, notifications, relationships
from fediverse.group_requests import groups_of_requests
from fediverse.groups_model import NewGroup
from fediverse.remote import RemoteActor, upsert_remote_account
from fediverse.remote_relations import remove_follow_request
from fediverse.runtime import Runtime
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, follow_requests
from fediverse.storage.tables import notifications as notifications_table
from tests.fediverse.conftest import user

REMOTE = "kommun-b.test"


@dataclass(frozen=True, slots=True)
class Closed:
    """A closed group: anna made it (admin), cia moderates it, dag is a plain member."""

    id: int
    anna: int
    cia: int
    dag: int


async def closed_group(runtime: Runtime, name: str = "lag") -> Closed:
    store = runtime.store
    anna, cia, dag = [await user(store, n) for n in ("anna", "cia", "dag")]
    group_id = await groups.create_group(runtime, anna, NewGroup(name, privacy="closed"))
    for member in (cia, dag):
        assert await groups.join(store, member, group_id) == "pending"
        await groups.approve(store, anna, group_id, member)
    await groups.set_role(store, anna, group_id, cia, "moderator")
    return Closed(group_id, anna, cia, dag)


async def closed_group_of(runtime: Runtime, group: Closed, name: str) -> int:
    """Another closed group of the first's admin, with the first's moderator moderating."""
    other = await groups.create_group(runtime, group.anna, NewGroup(name, privacy="closed"))
    await groups.join(runtime.store, group.cia, other)
    await groups.approve(runtime.store, group.anna, other, group.cia)
    await groups.set_role(runtime.store, group.anna, other, group.cia, "moderator")
    return other


async def remote_person(store: Store, name: str) -> int:
    uri = f"https://{REMOTE}/users/{name}"
    return await upsert_remote_account(store, RemoteActor(uri, name, REMOTE, f"{uri}/inbox"))


async def remote_join(store: Store, group: Closed, asker: int, uri: str | None) -> str | None:
    """A Follow of the group from ``asker``'s server, as the inbox takes it; why refused."""
    async with store.write() as conn:
        found = await groups.group_on(conn, group.id)
        assert found is not None
        return await groups.receive_join(store, conn, found, asker, REMOTE, uri)


async def told(store: Store, asker: int) -> list[tuple[int, str, int | None]]:
    """(recipient, type, group) of every notification from ``asker``, by recipient."""
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(
                notifications_table.c.account_id,
                notifications_table.c.type,
                notifications_table.c.follow_request_id,
            )
            .where(notifications_table.c.from_account_id == asker)
            .order_by(notifications_table.c.account_id)
        )
    request_groups = await groups_of_requests(store, {r[2] for r in rows if r[2] is not None})
    return [(int(r[0]), str(r[1]), request_groups.get(r[2] or 0)) for r in rows]


async def test_local_join_request__tells_each_moderator_once_and_no_one_else(
    runtime: Runtime,
) -> None:
    group = await closed_group(runtime)
    eva = await user(runtime.store, "eva")
    assert await groups.join(runtime.store, eva, group.id) == "pending"
    assert await told(runtime.store, eva) == [
        (group.anna, "group_join_request", group.id),
        (group.cia, "group_join_request", group.id),
    ]


async def test_following_the_group_account__is_a_join_request_its_moderators_hear_of(
    runtime: Runtime,
) -> None:
    """What a Mastodon app does: follow the group's account."""
    group = await closed_group(runtime)
    eva = await user(runtime.store, "eva")
    await relationships.follow(runtime.store, eva, group.id)
    assert [(who, kind) for who, kind, _ in await told(runtime.store, eva)] == [
        (group.anna, "group_join_request"),
        (group.cia, "group_join_request"),
    ]


async def test_remote_join_request__tells_each_local_moderator_once(runtime: Runtime) -> None:
    store = runtime.store
    group = await closed_group(runtime)
    berit = await remote_person(store, "berit")
    assert await remote_join(store, group, berit, f"https://{REMOTE}/follows/1") is None
    assert await told(store, berit) == [
        (group.anna, "group_join_request", group.id),
        (group.cia, "group_join_request", group.id),
    ]


async def test_join_request__skips_a_moderator_who_turned_the_kind_off(runtime: Runtime) -> None:
    group = await closed_group(runtime)
    eva = await user(runtime.store, "eva")
    await notifications.set_types_off(runtime.store, group.cia, {"group_join_request"})
    await groups.join(runtime.store, eva, group.id)
    assert [who for who, _, _ in await told(runtime.store, eva)] == [group.anna]


async def _approve(store: Store, group: Closed, asker: int) -> None:
    await groups.approve(store, group.cia, group.id, asker)


async def _reject(store: Store, group: Closed, asker: int) -> None:
    await groups.reject(store, group.anna, group.id, asker)


async def _withdraw(store: Store, group: Closed, asker: int) -> None:
    await groups.leave(store, asker, group.id)


async def _ban(store: Store, group: Closed, asker: int) -> None:
    await groups.ban(store, group.anna, group.id, asker)


ENDINGS: dict[str, Callable[[Store, Closed, int], Awaitable[None]]] = {
    "approved": _approve,
    "rejected": _reject,
    "withdrawn": _withdraw,
    "banned": _ban,
}


@pytest.mark.parametrize("ending", sorted(ENDINGS))
async def test_a_decided_or_withdrawn_request__leaves_no_moderator_its_notification(
    runtime: Runtime, ending: str
) -> None:
    group = await closed_group(runtime)
    eva, fia = await user(runtime.store, "eva"), await user(runtime.store, "fia")
    for asker in (eva, fia):
        await groups.join(runtime.store, asker, group.id)
    await ENDINGS[ending](runtime.store, group, eva)
    assert [kind for _, kind, _ in await told(runtime.store, eva)] == []
    assert len(await told(runtime.store, fia)) == 2  # another request waits, told as before


async def test_a_remote_request_undone__leaves_no_moderator_its_notification(
    runtime: Runtime,
) -> None:
    store = runtime.store
    group = await closed_group(runtime)
    berit = await remote_person(store, "berit")
    await remote_join(store, group, berit, None)
    assert len(await told(store, berit)) == 2
    async with store.write() as conn:  # what an Undo(Follow) from berit's server does
        assert await remove_follow_request(conn, berit, group.id)
    assert await told(store, berit) == []
    async with store.read() as conn:
        assert await conn.fetch_val(select(follow_requests.c.id)) is None


@pytest.mark.parametrize("decision", ["accept", "reject"])
async def test_a_personal_follow_request__its_notification_goes_when_decided(
    runtime: Runtime, decision: str
) -> None:
    """As in Mastodon: a locked account's follow request notification goes with the request."""
    store = runtime.store
    lena, olof = await user(store, "lena"), await user(store, "olof")
    async with store.write() as conn:
        await conn.execute(update(accounts).where(accounts.c.id == lena).values(locked=True))
    await relationships.follow(store, olof, lena)
    assert [(who, kind) for who, kind, _ in await told(store, olof)] == [(lena, "follow_request")]
    async with store.write() as conn:
        request_id = await conn.fetch_val(
            select(follow_requests.c.id).where(follow_requests.c.account_id == olof)
        )
        if decision == "accept":
            await relationships.accept_follow_request(store, conn, request_id)
        else:
            await relationships.reject_follow_request(store, conn, request_id)
    assert await told(store, olof) == []


async def test_a_moderator_appointed_later__is_told_of_the_requests_still_pending(
    runtime: Runtime,
) -> None:
    store = runtime.store
    group = await closed_group(runtime)
    eva, fia = await user(store, "eva"), await user(store, "fia")
    berit = await remote_person(store, "berit")
    for asker in (eva, fia):
        await groups.join(store, asker, group.id)
    await remote_join(store, group, berit, f"https://{REMOTE}/follows/1")
    await groups.approve(store, group.cia, group.id, fia)  # decided before dag moderates
    await groups.set_role(store, group.anna, group.id, group.dag, "moderator")
    for asker in (eva, berit):
        assert await told(store, asker) == [
            (group.anna, "group_join_request", group.id),
            (group.cia, "group_join_request", group.id),
            (group.dag, "group_join_request", group.id),
        ]
    assert await told(store, fia) == []


async def test_a_new_role__never_tells_a_moderator_twice_nor_a_plain_member(
    runtime: Runtime,
) -> None:
    store = runtime.store
    group = await closed_group(runtime)
    eva = await user(store, "eva")
    await groups.join(store, eva, group.id)
    await groups.set_role(store, group.anna, group.id, group.cia, "admin")  # told already
    await groups.set_role(store, group.anna, group.id, group.dag, "member")
    await groups.set_role(store, group.anna, group.id, group.dag, "moderator")
    await groups.set_role(store, group.anna, group.id, group.dag, "moderator")  # again
    assert await told(store, eva) == [
        (group.anna, "group_join_request", group.id),
        (group.cia, "group_join_request", group.id),
        (group.dag, "group_join_request", group.id),
    ]


async def test_a_new_moderator_who_turned_the_kind_off__is_not_told(runtime: Runtime) -> None:
    store = runtime.store
    group = await closed_group(runtime)
    eva = await user(store, "eva")
    await groups.join(store, eva, group.id)
    await notifications.set_types_off(store, group.dag, {"group_join_request"})
    await groups.set_role(store, group.anna, group.id, group.dag, "moderator")
    assert [who for who, _, _ in await told(store, eva)] == [group.anna, group.cia]


async def test_a_moderator_made_a_member_or_leaving__loses_the_pending_requests_notifications(
    runtime: Runtime,
) -> None:
    store = runtime.store
    group = await closed_group(runtime)
    other = await closed_group_of(runtime, group, "annat")
    eva, fia = await user(store, "eva"), await user(store, "fia")
    await groups.join(store, eva, group.id)
    await groups.join(store, fia, other)
    await groups.set_role(store, group.anna, group.id, group.cia, "member")
    assert await told(store, eva) == [(group.anna, "group_join_request", group.id)]
    assert [who for who, _, _ in await told(store, fia)] == [group.anna, group.cia]
    # Leaving one group leaves what the member decides in another as it was.
    await groups.set_role(store, group.anna, group.id, group.cia, "moderator")
    await groups.leave(store, group.cia, other)
    assert [who for who, _, _ in await told(store, eva)] == [group.anna, group.cia]
    assert await told(store, fia) == [(group.anna, "group_join_request", other)]
    await groups.leave(store, group.anna, group.id)
    assert await told(store, eva) == [(group.cia, "group_join_request", group.id)]
