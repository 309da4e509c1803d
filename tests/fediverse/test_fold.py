"""Account search: it folds every alphabet on both databases ("åsa" finds "Åsa"), and what
is left of a suspended domain's accounts is not found."""

from __future__ import annotations

from sqlalchemy import insert

from fediverse import directory, instances
from fediverse.accounts import NewUser, create_user
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts


async def test_account_search__ignores_case_of_swedish_letters(store: Store) -> None:
    viewer = await create_user(
        store, "http://kommun.test", NewUser("viewer", "viewer@kommun.example", None)
    )
    asa = await create_user(
        store,
        "http://kommun.test",
        NewUser("asa", "asa@kommun.example", None, display_name="Åsa Öberg"),
    )
    for query in ("åsa", "ÅSA", "öberg", "ÖBERG"):
        found = await directory.search(
            store, viewer.account_id, query, limit=5, offset=0, following=False
        )
        assert [row["id"] for row in found] == [asa.account_id], query


async def test_account_search__leaves_out_accounts_of_a_suspended_domain(store: Store) -> None:
    viewer = await create_user(
        store, "http://kommun.test", NewUser("viewer", "viewer@kommun.example", None)
    )
    async with store.write() as conn:
        await conn.execute(
            insert(accounts).values(
                id=store.new_id(),
                username="berit",
                domain="kommun-b.se",
                display_name="Berit",
                uri="https://kommun-b.se/users/berit",
                created_at=now_ms(),
                updated_at=now_ms(),
            )
        )

    async def found() -> list[str]:
        rows = await directory.search(
            store, viewer.account_id, "berit", limit=5, offset=0, following=False
        )
        return [row["username"] for row in rows]

    assert await found() == ["berit"]
    await instances.set_domain_policy(store, "kommun-b.se", "suspend", actor="test")
    assert await found() == []
    await instances.set_domain_policy(store, "kommun-b.se", "allow", actor="test")
    assert await found() == ["berit"]
