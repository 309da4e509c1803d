"""Mastodon's visibility to to/cc mapping, both ways."""

from __future__ import annotations

import pytest

from activitypub.addressing import Visibility, addressing_for, visibility_from_addressing
from activitypub.vocab import PUBLIC

FOLLOWERS = "https://kommun-a.test/users/anna/followers"
BO = "https://kommun-b.test/users/bo"
CIA = "https://kommun-c.test/users/cia"


@pytest.mark.parametrize(
    ("visibility", "to", "cc"),
    [
        ("public", [PUBLIC], [FOLLOWERS, BO]),
        ("unlisted", [FOLLOWERS], [PUBLIC, BO]),
        ("private", [FOLLOWERS], [BO]),
        ("direct", [BO], []),
        ("limited", [BO], []),
    ],
)
def test_addressing_for__matches_mastodon(visibility: str, to: list[str], cc: list[str]) -> None:
    assert addressing_for(visibility, FOLLOWERS, [BO, BO]) == (to, cc)


def test_addressing_for__rejects_an_unknown_visibility() -> None:
    with pytest.raises(ValueError, match="secret"):
        addressing_for("secret", FOLLOWERS)


@pytest.mark.parametrize(
    ("to", "cc", "expected"),
    [
        ([PUBLIC], [FOLLOWERS], Visibility.PUBLIC),
        (["as:Public"], [], Visibility.PUBLIC),
        ([FOLLOWERS], ["Public"], Visibility.UNLISTED),
        ([FOLLOWERS], [BO], Visibility.PRIVATE),
        ([BO], [], Visibility.DIRECT),
        ([], [], Visibility.DIRECT),
    ],
)
def test_visibility_from_addressing__reads_like_mastodon(
    to: list[str], cc: list[str], expected: Visibility
) -> None:
    assert visibility_from_addressing(to, cc, FOLLOWERS) is expected


def test_visibility_from_addressing__round_trips_every_visibility() -> None:
    for visibility in ("public", "unlisted", "private", "direct"):
        to, cc = addressing_for(visibility, FOLLOWERS, [BO])
        assert visibility_from_addressing(to, cc, FOLLOWERS, [BO]) == visibility


def test_visibility_from_addressing__sees_limited_when_someone_unmentioned_is_addressed() -> None:
    assert visibility_from_addressing([BO, CIA], [], FOLLOWERS, [BO]) is Visibility.LIMITED
    assert visibility_from_addressing([BO], [], FOLLOWERS, [BO]) is Visibility.DIRECT


def test_visibility_from_addressing__without_a_followers_url_cannot_see_private() -> None:
    assert visibility_from_addressing([FOLLOWERS], [], None) is Visibility.DIRECT
