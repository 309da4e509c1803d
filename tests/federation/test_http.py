"""The one HTTP client: no private or loopback addresses, https only, outside DEV_INSECURE."""

from __future__ import annotations

import httpx
import pytest

from federation.errors import UnsafeAddressError
from federation.http import build_client, is_public_address
from tests.conftest import make_settings

REQUESTED: list[str] = []


def recording_transport() -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        REQUESTED.append(str(request.url))
        return httpx.Response(200, json={"ok": True})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fd00::1",
        "0.0.0.0",
    ],
)
def test_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


def test_a_global_address_is_public() -> None:
    assert is_public_address("193.10.10.10")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/inbox", "private address"),
        ("https://169.254.169.254/latest/meta-data", "private address"),
        ("https://[::1]/actor", "private address"),
        ("https://localhost/users/a", "private address"),
        ("http://193.10.10.10/users/a", "only https"),
    ],
)
async def test_the_client_refuses_unsafe_targets_without_sending(url: str, reason: str) -> None:
    REQUESTED.clear()
    settings = make_settings(dev_insecure=False)
    async with build_client(settings, transport=recording_transport()) as client:
        with pytest.raises(UnsafeAddressError, match=reason):
            await client.get(url)
    assert REQUESTED == []


async def test_the_client_sends_to_a_public_address_with_its_user_agent() -> None:
    REQUESTED.clear()
    settings = make_settings(dev_insecure=False)
    async with build_client(settings, transport=recording_transport()) as client:
        response = await client.get("https://193.10.10.10/users/a")
    assert response.json() == {"ok": True}
    assert response.request.headers["user-agent"].startswith(
        "Kollegium/0.1.0 (+https://kommun-a.test/)"
    )


async def test_dev_insecure_lets_tests_reach_loopback() -> None:
    REQUESTED.clear()
    async with build_client(make_settings(), transport=recording_transport()) as client:
        await client.get("http://127.0.0.2:8001/users/a")
    assert REQUESTED == ["http://127.0.0.2:8001/users/a"]
