"""Case-insensitive search folds every alphabet on both databases: "åsa" finds "Åsa"."""

from __future__ import annotations

from fediverse import directory
from fediverse.accounts import NewUser, create_user
from fediverse.storage.database import Store


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
