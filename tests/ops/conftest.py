"""One populated SQLite instance, served for the whole package: made once, read by many."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.ops.support import Instance, home_timeline, make_instance, populate, served, settled


@dataclass(frozen=True)
class Populated:
    instance: Instance
    base_url: str
    made: dict[str, Any]
    timeline: list[tuple[str, str]]


@pytest.fixture(scope="package")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Populated]:
    """Anna's 30 posts, Bosse following her; the server keeps running meanwhile,
    its home feeds filled."""
    home = tmp_path_factory.mktemp("populated")
    instance = make_instance(f"sqlite:///{home / 'k.db'}", home)
    with served(instance, at_domain=True) as base_url:  # `kollegium check` calls it
        made = populate(base_url, statuses=30)
        settled(instance.url)
        yield Populated(instance, base_url, made, home_timeline(base_url, made["bosse"]))
