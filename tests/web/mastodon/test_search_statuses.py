"""Full-text search of statuses in Swedish: inflected forms, and only what the searcher may see."""

from __future__ import annotations

from fediverse.search import pg_tsquery, sqlite_match, variants
from tests.web.mastodon.conftest import Instance, Member
from tests.web.mastodon.part2_support import member


async def post(instance: Instance, who: Member, text: str, **extra: object) -> str:
    answer = await instance.client.post(
        "/api/v1/statuses", json={"status": text, **extra}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


async def found(instance: Instance, who: Member, q: str, **params: object) -> list[str]:
    answer = await instance.client.get(
        "/api/v2/search", params={"q": q, "type": "statuses", **params}, headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return [s["id"] for s in answer.json()["statuses"]]


def test_query_words_ask_for_their_definite_and_indefinite_forms() -> None:
    assert variants("förskolan") == ["förskolan", "förskola"]
    assert variants("förskola") == ["förskola", "förskolan"]
    assert variants("protokollet") == ["protokollet", "protokoll", "protokolle"]
    assert variants("arbetsmiljön") == ["arbetsmiljön", "arbetsmiljö"]
    assert variants("möte") == ["möte", "möten", "mötet"]
    assert variants("barn") == ["barn", "barnet", "barnen"]
    assert variants("tagg07") == ["tagg07"] and variants("och") == ["och"]
    assert sqlite_match("Förskolan öppnar") == '("förskolan" OR "förskol") AND ("öppn" OR "öppnar")'
    assert pg_tsquery("förskolan, öppnar!") == (
        "(förskolan | förskola) & (öppnar | öppnaret | öppnaren)"
    )
    assert sqlite_match("!!!") is None and pg_tsquery("") is None


async def test_search_finds_inflected_swedish_words_and_only_what_may_be_seen(
    instance: Instance,
) -> None:
    anna, bo, cilla = [await member(instance, n) for n in ("anna", "bo", "cilla")]
    c = instance.client
    await c.post(f"/api/v1/accounts/{bo.account_id}/follow", headers=anna.headers)
    public = await post(instance, bo, "Förskola Solrosen söker vikarier till hösten")
    definite = await post(instance, bo, "Förskolan har stängt på fredag")
    plural = await post(instance, cilla, "Alla förskolor i kommunen får nya lokaler")
    followers = await post(instance, bo, "Förskolans personalmöte flyttas", visibility="private")
    direct = await post(instance, bo, "@cilla hemligt om förskolan", visibility="direct")
    other = await post(instance, bo, "Skolan får en ny rektor")
    minutes = await post(instance, cilla, "Protokoll från arbetsmiljö-mötet")

    seen_by_anna = await found(instance, anna, "förskolan")
    assert set(seen_by_anna) == {public, definite, plural, followers}, "not the direct one"
    assert seen_by_anna == sorted(seen_by_anna, reverse=True), "newest first"
    assert await found(instance, anna, "personalmöte") == [followers], "anna follows bo"
    assert await found(instance, cilla, "personalmöte") == [], "cilla does not follow bo"
    assert direct in await found(instance, cilla, "hemligt"), "cilla is mentioned"
    assert await found(instance, anna, "hemligt") == []
    assert await found(instance, anna, "förskola", account_id=str(cilla.account_id)) == [plural]
    assert await found(instance, anna, "förskola solrosen") == [public]
    assert len(await found(instance, anna, "förskola", limit=1, offset=1)) == 1
    assert other not in await found(instance, anna, "förskola")
    assert await found(instance, anna, "protokollet arbetsmiljön") == [minutes]

    edited = await c.put(
        f"/api/v1/statuses/{other}",
        json={"status": "Skolan får en ny fritidspedagog"},
        headers=bo.headers,
    )
    assert edited.status_code == 200
    assert await found(instance, anna, "rektor") == []
    assert await found(instance, anna, "fritidspedagogen") == [other]
    await c.delete(f"/api/v1/statuses/{public}", headers=bo.headers)
    assert public not in await found(instance, anna, "solrosen")

    local_url = (await c.get(f"/api/v1/statuses/{definite}", headers=anna.headers)).json()["url"]
    resolved = await found(instance, anna, local_url, resolve="true")
    assert resolved == [definite]


async def test_search_refuses_bad_input_and_a_token_without_the_scope(instance: Instance) -> None:
    anna = await member(instance, "anna")
    for params, status in [
        ({}, 400),
        ({"q": "x", "type": "toots"}, 422),
        ({"q": "x", "offset": "-1"}, 422),
        ({"q": "x", "account_id": "nobody"}, 422),
    ]:
        answer = await instance.client.get("/api/v2/search", params=params, headers=anna.headers)
        assert answer.status_code == status, params
        assert "error" in answer.json()
    writer = await member(instance, "bo", scopes="write")
    denied = await instance.client.get("/api/v2/search", params={"q": "x"}, headers=writer.headers)
    assert denied.status_code == 403


async def test_the_sqlite_index_catches_up_in_bounded_steps(instance: Instance) -> None:
    from fediverse.search import catch_up

    anna = await member(instance, "anna")
    for n in range(3):
        await post(instance, anna, f"Inlägg nummer {n}")
    if not instance.store.is_sqlite:
        assert await catch_up(instance.store) == 0, "PostgreSQL indexes by itself"
        return
    assert await catch_up(instance.store, batch=1, most=2) == 2
    assert await catch_up(instance.store, batch=1) == 1
    assert await catch_up(instance.store) == 0
    assert len(await found(instance, anna, "inlägg")) == 3
