"""The aiohttp delivery sender keeps the HTTP client's guards."""

from __future__ import annotations

import pytest

from federation.aio import GuardedResolver
from federation.errors import UnsafeAddressError
from federation.sender import Sender
from federation.signing import SchemeMemory
from tests.conftest import make_settings


async def test_resolver__refuses_hosts_with_private_addresses() -> None:
    resolver = GuardedResolver(())
    try:
        with pytest.raises(UnsafeAddressError):
            await resolver.resolve("localhost", 443)
    finally:
        await resolver.close()


async def test_sender__refuses_plain_http_outside_dev_insecure() -> None:
    sender = Sender(make_settings(dev_insecure=False), SchemeMemory())
    with pytest.raises(UnsafeAddressError):
        await sender.post("http://193.10.10.10/inbox", b"{}", None)  # type: ignore[arg-type]
    await sender.close()
