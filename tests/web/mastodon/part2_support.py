"""Members made fast for the client API part 2 tests: no password (Argon2 hashing costs most
of a second) and one key pair shared by all (these tests never sign anything)."""

from __future__ import annotations

from functools import cache
from unittest import mock

from fediverse import accounts, oauth
from fediverse.accounts import NewUser, create_user
from tests.web.mastodon.conftest import Instance, Member

_NEW_KEYS = accounts.new_key_columns


@cache
def _keys() -> dict[str, str]:
    return _NEW_KEYS()


async def member(
    instance: Instance, username: str, *, scopes: str = "read write follow push"
) -> Member:
    """A member of staff with a token of ``scopes``, as ``Instance.member`` makes them."""
    with mock.patch.object(accounts, "new_key_columns", _keys):
        created = await create_user(
            instance.store,
            instance.settings.base_url,
            NewUser(username, f"{username}@kommun-a.se", None),
        )
    app, _secret = await oauth.create_application(
        instance.store,
        name="tests",
        redirect_uris=[oauth.OOB],
        scopes=oauth.parse_scopes("read write follow push profile admin:read admin:write"),
        website=None,
    )
    async with instance.store.write() as conn:
        issued = await oauth._issue(
            instance.store, conn, app.id, created.user_id, oauth.parse_scopes(scopes)
        )
    return Member(username, created.account_id, created.user_id, issued.access_token)
