"""Fixtures of the browser tests: Chromium and one server for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.harness import Server, chromium, require_browser, running_server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_browser()
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_browser()
    with running_server(tmp_path_factory.mktemp("ui")) as running:
        yield running
