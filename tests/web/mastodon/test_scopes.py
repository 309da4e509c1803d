"""OAuth scopes: what covers what, and what is refused."""

from __future__ import annotations

import base64
import hashlib

import pytest

from fediverse.oauth import OAuthError, parse_scopes, pkce_matches, scope_covers


@pytest.mark.parametrize(
    ("granted", "required", "allowed"),
    [
        ("read", "read:statuses", True),
        ("read:statuses", "read:statuses", True),
        ("read:statuses", "read:accounts", False),
        ("write", "read:statuses", False),
        ("follow", "write:follows", True),
        ("follow", "read:blocks", True),
        ("follow", "write:statuses", False),
        ("admin:read", "admin:read:accounts", True),
        ("read", "admin:read:accounts", False),
        ("profile", "read:accounts", False),
    ],
)
def test_scope_covers(granted: str, required: str, allowed: bool) -> None:
    assert scope_covers(parse_scopes(granted), required) is allowed


def test_parse_scopes__reads_spaces_and_plus_and_refuses_unknown() -> None:
    assert parse_scopes("read+write follow") == {"read", "write", "follow"}
    assert parse_scopes(None) == {"read"}
    with pytest.raises(OAuthError):
        parse_scopes("read everything")


def test_pkce_s256__is_base64url_of_sha256_without_padding() -> None:
    verifier = "kollegium-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert pkce_matches(verifier, challenge.decode().rstrip("="))
    assert not pkce_matches(verifier + "x", challenge.decode().rstrip("="))
