"""Fixtures of the browser tests: Chromium per module, one server for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.harness import Server, chromium, require_browser, running_server


# Per module, not per session: Playwright's sync API keeps an event loop running in this
# thread while it is open, and pytest-asyncio cannot run async tests beside it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_browser()
    with running_server(tmp_path_factory.mktemp("ui")) as running:
        yield running
