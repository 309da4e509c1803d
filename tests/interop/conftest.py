"""One Kollegium instance for every interop module (each peer talks to its own members)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.interop.support import Kollegium, kollegium_instance

KOLLEGIUM_HOST = "127.0.0.4"
# test_fedify: karin, kalle; test_bovine: berit, bosse; test_pasture: pia; test_rfc9421: rut.
MEMBERS = ("karin", "kalle", "berit", "bosse", "pia", "rut")


@pytest.fixture(scope="session")
def kollegium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kollegium]:
    root = tmp_path_factory.mktemp("interop-kollegium")
    with kollegium_instance(root, KOLLEGIUM_HOST, MEMBERS) as instance:
        yield instance
