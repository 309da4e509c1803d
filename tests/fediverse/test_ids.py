"""Snowflake ids: time-ordered, unique per node, robust to a clock that steps back."""

from __future__ import annotations

import pytest

from fediverse.ids import MAX_SEQUENCE, SnowflakeGenerator, id_at, ms_of


class FakeClock:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_ids_carry_their_millisecond_in_the_high_bits() -> None:
    generator = SnowflakeGenerator(node=3, clock=FakeClock(1_764_000_000_000))
    snowflake = generator.next_id()
    assert ms_of(snowflake) == 1_764_000_000_000
    assert snowflake >> 10 & 0x3F == 3
    assert snowflake < 2**63


def test_ids_increase_within_one_millisecond_and_across() -> None:
    clock = FakeClock(1_000)
    generator = SnowflakeGenerator(node=0, clock=clock)
    first = [generator.next_id() for _ in range(5)]
    clock.ms = 1_001
    later = generator.next_id()
    assert first == sorted(first) and len(set(first)) == 5
    assert later > first[-1] and ms_of(later) == 1_001


def test_a_clock_stepping_back_never_repeats_an_id() -> None:
    clock = FakeClock(5_000)
    generator = SnowflakeGenerator(node=1, clock=clock)
    before = generator.next_id()
    clock.ms = 4_000
    assert generator.next_id() > before


def test_a_full_millisecond_borrows_the_next() -> None:
    generator = SnowflakeGenerator(node=0, clock=FakeClock(7))
    ids = [generator.next_id() for _ in range(MAX_SEQUENCE + 2)]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    assert ms_of(ids[-1]) == 8


def test_two_nodes_in_the_same_millisecond_never_collide() -> None:
    a = SnowflakeGenerator(node=0, clock=FakeClock(9))
    b = SnowflakeGenerator(node=1, clock=FakeClock(9))
    assert {a.next_id() for _ in range(500)}.isdisjoint({b.next_id() for _ in range(500)})


def test_id_at_bounds_a_millisecond() -> None:
    generator = SnowflakeGenerator(node=63, clock=FakeClock(42))
    assert id_at(42) <= generator.next_id() < id_at(43)


@pytest.mark.parametrize("node", [-1, 64])
def test_a_node_out_of_range_is_refused(node: int) -> None:
    with pytest.raises(ValueError, match="node must be between 0 and 63"):
        SnowflakeGenerator(node=node)
