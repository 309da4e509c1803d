"""Serializing a page of statuses costs a fixed number of queries, whatever its size."""

from __future__ import annotations

from typing import Any

from fediverse import timelines
from fediverse.hydrate import load_status_page
from fediverse.paging import PageQuery
from tests.web.mastodon.conftest import Instance, image_bytes
from web.mastodon.serializers.statuses import StatusSerializer


class CountingConnection:
    """Wraps a connection and counts the statements sent through it."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.count = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.conn, name)
        if name in ("fetch_all", "fetch_one", "fetch_val", "execute", "execute_many", "iterate"):
            self.count += 1
        return attribute


async def queries_for(instance: Instance, viewer: int, limit: int) -> tuple[int, int]:
    rows = await timelines.home(instance.store, viewer, PageQuery(limit=limit))
    async with instance.store.read() as conn:
        counting = CountingConnection(conn)
        page = await load_status_page(counting, rows, viewer)  # type: ignore[arg-type]
    entities = StatusSerializer(page, instance.settings.base_url).all()
    assert len(entities) == limit
    # Statements through SQLAlchemy, plus those sent straight to the driver.
    return counting.count + page.queries, len(entities)


async def test_a_page_of_40_costs_what_a_page_of_1_costs(instance: Instance) -> None:
    anna, bosse = await instance.member("anna"), await instance.member("bosse")
    client = instance.client
    await client.post(f"/api/v1/accounts/{bosse.account_id}/follow", headers=anna.headers)
    for n in range(32):
        body: dict[str, Any] = {"status": f"@anna inlägg {n} #tagg{n % 3}"}
        if n % 3 == 0:
            media = await client.post(
                "/api/v2/media",
                files={"file": ("a.png", image_bytes("PNG", (8, 8)), "image/png")},
                headers=bosse.headers,
            )
            body["media_ids"] = [media.json()["id"]]
        elif n % 3 == 1:
            body["poll"] = {"options": ["ja", "nej"], "expires_in": 3600}
        posted = await client.post("/api/v1/statuses", json=body, headers=bosse.headers)
        assert posted.status_code == 200, posted.text
        if n % 4 == 0:
            status_id = posted.json()["id"]
            await client.post(f"/api/v1/statuses/{status_id}/favourite", headers=anna.headers)
            await client.post(f"/api/v1/statuses/{status_id}/reblog", headers=anna.headers)
            await client.post(f"/api/v1/statuses/{status_id}/bookmark", headers=anna.headers)
    one, _ = await queries_for(instance, anna.account_id, 1)
    forty, _ = await queries_for(instance, anna.account_id, 40)
    assert one == forty
    assert 0 < forty <= 10
