"""Statements compiled once per shape (fediverse.storage.compiled): each later statement of
the same shape runs with its own values, IN lists of any length included, on both
databases."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from fediverse.ids import now_ms
from fediverse.storage.compiled import Shapes
from fediverse.storage.database import Store
from fediverse.storage.tables import departments


def _shapes(store: Store) -> Shapes:
    shapes = store._database._backend.shapes  # type: ignore[attr-defined]
    assert isinstance(shapes, Shapes)
    return shapes


async def test_a_shape_is_compiled_once_and_runs_with_each_statements_values(
    store: Store,
) -> None:
    names = {store.new_id(): f"Enhet {n}" for n in range(6)}
    async with store.write() as conn:
        for unit, name in names.items():
            await conn.execute(insert(departments).values(id=unit, name=name, created_at=now_ms()))
    shapes = _shapes(store)
    before = shapes.compiled
    async with store.read() as conn:
        for unit, name in names.items():
            found = await conn.fetch_val(select(departments.c.name).where(departments.c.id == unit))
            assert found == name
    assert shapes.compiled == before + 1  # one shape, six statements

    ids = list(names)
    async with store.read() as conn:
        for size in (1, 3, 6, 2):  # IN lists of other lengths, the same shape
            query = select(departments.c.name).where(departments.c.id.in_(ids[:size]))
            rows = await conn.fetch_all(query.order_by(departments.c.id))
            assert [r[0] for r in rows] == [names[i] for i in sorted(ids[:size])]
        empty = await conn.fetch_all(select(departments.c.id).where(departments.c.id.in_([])))
        assert empty == []
    assert shapes.compiled == before + 3  # the IN query once, the empty one once


async def test_writes_of_one_shape_each_write_their_own_values(store: Store) -> None:
    units = [store.new_id() for _ in range(3)]
    async with store.write() as conn:
        for unit in units:
            await conn.execute(insert(departments).values(id=unit, name="x", created_at=now_ms()))
        for n, unit in enumerate(units):
            await conn.execute(
                update(departments).where(departments.c.id == unit).values(name=f"Namn {n}")
            )
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(departments.c.id, departments.c.name).where(departments.c.id.in_(units))
        )
        total = await conn.fetch_val(
            select(func.count()).select_from(departments).where(departments.c.name.like("Namn%"))
        )
    assert {r[0]: r[1] for r in rows} == {unit: f"Namn {n}" for n, unit in enumerate(units)}
    assert total == 3


def test_the_least_recently_used_shape_is_dropped_at_the_limit() -> None:
    from fediverse.storage.compiled import ShapedSQLiteBackend

    shapes = Shapes(limit=2)
    dialect = ShapedSQLiteBackend("sqlite:///:memory:")._dialect
    queries = [select(departments.c.id).where(departments.c.name == "a").limit(n) for n in (1, 2)]
    queries.append(select(departments.c.name))
    queries.append(select(departments.c.created_at))
    for query in queries[:3]:
        assert shapes.prepare(query, dialect, postgres=False) is not None
    assert shapes.compiled == 2  # the two limits are one shape
    shapes.prepare(queries[3], dialect, postgres=False)
    shapes.prepare(queries[0], dialect, postgres=False)  # dropped before: compiled again
    assert (shapes.compiled, len(shapes.kept)) == (4, 2)
