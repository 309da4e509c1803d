"""Fetching: ids must match their origin, redirects are bounded, bodies capped, types checked,
and the connection goes to the address that was checked (no DNS rebinding)."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from federation import http as federation_http
from federation.errors import (
    FetchError,
    OriginMismatchError,
    ResponseTooLargeError,
    UnsafeAddressError,
    WrongContentTypeError,
)
from federation.http import GuardedBackend
from tests.federation.support import ACTIVITY_JSON, Bench, remote_actor

FELIX = "https://mastodon.madrid/users/felix"


def serve(bench: Bench, answer: httpx.MockTransport) -> None:
    bench.http._transport._inner = answer  # type: ignore[attr-defined]


async def test_fetch__an_object_claiming_another_origin_is_refused(bench: Bench) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"id": "https://evil.example/notes/1", "type": "Note"},
            headers={"Content-Type": ACTIVITY_JSON},
        )

    serve(bench, httpx.MockTransport(answer))
    with pytest.raises(OriginMismatchError):
        await bench.federation.fetcher.fetch_object("https://mastodon.madrid/notes/1")


async def test_fetch__redirects_are_bounded(bench: Bench) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": str(request.url) + "x"})

    serve(bench, httpx.MockTransport(answer))
    with pytest.raises(FetchError, match="too many redirects"):
        await bench.federation.fetcher.get_json("https://mastodon.madrid/a")


async def test_fetch__large_bodies_and_wrong_types_are_refused(bench: Bench) -> None:
    def big(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b"{" + b" " * 2_000_000 + b"}", headers={"Content-Type": ACTIVITY_JSON}
        )

    serve(bench, httpx.MockTransport(big))
    with pytest.raises(ResponseTooLargeError):
        await bench.federation.fetcher.get_json("https://mastodon.madrid/a")

    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>", headers={"Content-Type": "text/html"})

    serve(bench, httpx.MockTransport(html))
    with pytest.raises(WrongContentTypeError):
        await bench.federation.fetcher.get_json("https://mastodon.madrid/a")


async def test_fetch__is_signed_by_the_instance_actor(bench: Bench) -> None:
    bench.remote.add_actor(remote_actor("mastodon/actor.json", FELIX))
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return bench.remote.handle(request)

    serve(bench, httpx.MockTransport(answer))
    await bench.federation.actors.by_uri(FELIX)
    assert f'keyId="{bench.base_url}/actor#main-key"' in seen[0].headers["signature"]


async def test_guarded_backend__connects_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # a rebinding DNS server
    dialled: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        return next(answers)

    class Recorder:
        async def connect_tcp(self, host: str, port: int, *args: object) -> object:
            dialled.append(host)
            return object()

    monkeypatch.setattr(federation_http, "resolve", resolve)
    backend = GuardedBackend(Recorder())  # type: ignore[arg-type]
    await backend.connect_tcp("rebind.example", 443)
    assert dialled == ["93.184.216.34"]
    with pytest.raises(UnsafeAddressError):
        await backend.connect_tcp("rebind.example", 443)
    assert dialled == ["93.184.216.34"]


async def test_private_networks__named_by_the_admins_are_reachable_over_https() -> None:
    from federation.http import build_client
    from tests.conftest import make_settings

    networks = (ipaddress.ip_network("10.20.0.0/16"),)
    settings = make_settings(dev_insecure=False, private_networks=networks)
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200)

    async with build_client(settings, transport=httpx.MockTransport(answer)) as client:
        await client.get("https://10.20.1.2/actor")
        with pytest.raises(UnsafeAddressError):
            await client.get("https://10.30.1.2/actor")
        with pytest.raises(UnsafeAddressError):
            await client.get("http://10.20.1.2/actor")
    assert sent == ["https://10.20.1.2/actor"]
