"""OAuth 2 for Mastodon apps: applications, authorization codes, tokens and scopes.

Secrets (client secrets, codes, access and refresh tokens) are stored only as SHA-256 hashes;
the plain value is shown once, to the client that asked for it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from databases.core import Connection
from sqlalchemy import insert, select, update

from fediverse import sign_in_limits
from fediverse.accounts import find_user_by_login
from fediverse.errors import BadRequestError, ForbiddenError, KollegiumError, ValidationError
from fediverse.ids import now_ms
from fediverse.rawsql import Plan, Query
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    oauth_applications,
    oauth_authorization_codes,
    oauth_tokens,
    users,
)

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME_MS = 10 * 60 * 1000
_ADMIN = "accounts reports domain_allows domain_blocks ip_blocks email_domain_blocks"
_GRANULAR = {
    "read": "accounts blocks bookmarks favourites filters follows lists mutes notifications "
    "search statuses",
    "write": "accounts blocks bookmarks conversations favourites filters follows lists media "
    "mutes notifications reports statuses",
    "admin:read": _ADMIN + " canonical_email_blocks",
    "admin:write": _ADMIN + " canonical_email_blocks",
}
SCOPES = frozenset(
    {"read", "write", "follow", "push", "profile", "admin:read", "admin:write"}
    | {f"{top}:{sub}" for top, subs in _GRANULAR.items() for sub in subs.split()}
)
# The old "follow" scope also grants these, as in Mastodon.
_FOLLOW_COVERS = frozenset(
    {f"{mode}:{sub}" for mode in ("read", "write") for sub in ("follows", "blocks", "mutes")}
)
_hasher = PasswordHasher()


class OAuthError(KollegiumError):
    """An OAuth protocol error, answered as ``{"error": code, "error_description": ...}``."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.code = code
        self.status = status


@dataclass(frozen=True, slots=True)
class Application:
    id: int
    name: str
    website: str | None
    redirect_uris: tuple[str, ...]
    scopes: frozenset[str]
    client_id: str
    created_at: int


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    refresh_token: str | None
    scopes: frozenset[str]
    created_at: int


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """Who a valid access token speaks for; ``user_id`` is None for an app-only token."""

    token_id: int
    user_id: int | None
    account_id: int | None
    scopes: frozenset[str]
    application_id: int
    role: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(raw: str | None, *, default: str = "read") -> frozenset[str]:
    """Scopes from a space- or plus-separated string; unknown scopes are refused."""
    words = (raw or default).replace("+", " ").split()
    unknown = sorted(set(words) - SCOPES)
    if unknown:
        raise OAuthError("invalid_scope", f"Unknown scope: {' '.join(unknown)}")
    return frozenset(words) or frozenset({default})


def scope_covers(granted: frozenset[str], required: str) -> bool:
    """Whether ``granted`` allows ``required``: ``read`` allows ``read:statuses`` etc."""
    if required in granted:
        return True
    if required in _FOLLOW_COVERS and "follow" in granted:
        return True
    parts = required.split(":")
    return any(":".join(parts[:n]) in granted for n in range(1, len(parts)))


def scopes_within(requested: frozenset[str], allowed: frozenset[str]) -> bool:
    return all(scope_covers(allowed, scope) for scope in requested)


def check_redirect_uri(uri: str) -> str:
    """An absolute URI (https, http, or a custom app scheme) or the out-of-band marker."""
    if uri == OOB:
        return uri
    parts = urlsplit(uri)
    if not parts.scheme or parts.fragment or not (parts.netloc or parts.path):
        raise ValidationError(f"Validation failed: Redirect URI must be an absolute URI: {uri}")
    return uri


def _application(row: Any) -> Application:
    return Application(
        id=row["id"],
        name=row["name"],
        website=row["website"],
        redirect_uris=tuple(orjson.loads(row["redirect_uris"])),
        scopes=frozenset(row["scopes"].split()),
        client_id=row["client_id"],
        created_at=row["created_at"],
    )


async def create_application(
    store: Store,
    *,
    name: str,
    redirect_uris: list[str],
    scopes: frozenset[str],
    website: str | None,
    owner_account_id: int | None = None,
) -> tuple[Application, str]:
    """Register a client; returns it with its plain secret, shown only this once."""
    if not name.strip() or len(name) > 200:
        raise ValidationError("Validation failed: Application name must be 1-200 characters")
    if not redirect_uris:
        raise ValidationError("Validation failed: Redirect URI can't be blank")
    uris = [check_redirect_uri(uri.strip()) for uri in redirect_uris]
    client_id, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = {
        "id": store.new_id(),
        "name": name.strip(),
        "website": website or None,
        "redirect_uris": orjson.dumps(uris).decode(),
        "scopes": " ".join(sorted(scopes)),
        "client_id": client_id,
        "client_secret": digest(secret),
        "owner_account_id": owner_account_id,
        "created_at": now_ms(),
    }
    async with store.write() as conn:
        await conn.execute(insert(oauth_applications).values(**row))
    return _application(row), secret


async def find_application(store: Store, client_id: str) -> Application | None:
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(oauth_applications).where(oauth_applications.c.client_id == client_id)
        )
    return _application(row._mapping) if row is not None else None


async def application_by_id(store: Store, application_id: int) -> Application | None:
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(oauth_applications).where(oauth_applications.c.id == application_id)
        )
    return _application(row._mapping) if row is not None else None


async def authenticate_client(store: Store, client_id: str, client_secret: str) -> Application:
    """The application whose id and secret these are, or OAuthError invalid_client."""
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(oauth_applications).where(oauth_applications.c.client_id == client_id)
        )
    if row is None or not hmac.compare_digest(row._mapping["client_secret"], digest(client_secret)):
        raise OAuthError(
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication "
            "included, or unsupported authentication method.",
            401,
        )
    return _application(row._mapping)


async def verify_password(store: Store, login: str, password: str) -> dict[str, Any] | None:
    """The user with this e-mail or username and password, or None; argon2 runs in a thread."""
    user = await find_user_by_login(store, login)
    if user is None or not user["password_hash"] or user["disabled"]:
        return None
    try:
        await asyncio.to_thread(_hasher.verify, user["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    return user


async def sign_in(store: Store, address: str, login: str, password: str) -> dict[str, Any] | None:
    """``verify_password`` for someone signing in from ``address``: refused with
    ``TooManyAttemptsError`` (429) after too many failures from there, and a failure
    counts (``sign_in_limits``)."""
    await sign_in_limits.check(store, address)
    user = await verify_password(store, login, password)
    if user is None:
        await sign_in_limits.failed(store, address)
    return user


async def create_code(
    store: Store,
    app: Application,
    *,
    user_id: int,
    redirect_uri: str,
    scopes: frozenset[str],
    code_challenge: str | None,
) -> str:
    """An authorization code for one exchange, valid ten minutes."""
    code, now = secrets.token_urlsafe(32), now_ms()
    async with store.write() as conn:
        await conn.execute(
            insert(oauth_authorization_codes).values(
                id=store.new_id(),
                code_hash=digest(code),
                application_id=app.id,
                user_id=user_id,
                redirect_uri=redirect_uri,
                scopes=" ".join(sorted(scopes)),
                code_challenge=code_challenge,
                code_challenge_method="S256" if code_challenge else None,
                expires_at=now + CODE_LIFETIME_MS,
                created_at=now,
            )
        )
    return code


def pkce_matches(verifier: str, challenge: str) -> bool:
    hashed = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(hashed).rstrip(b"=").decode()
    return hmac.compare_digest(expected, challenge)


_INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)


async def exchange_code(
    store: Store, app: Application, code: str, redirect_uri: str, verifier: str | None
) -> IssuedToken:
    """Trade a code for a token, once; PKCE is checked when the code was made with it."""
    async with store.write() as conn:
        used = await conn.fetch_all(
            update(oauth_authorization_codes)
            .where(
                oauth_authorization_codes.c.code_hash == digest(code),
                oauth_authorization_codes.c.used_at.is_(None),
            )
            .values(used_at=now_ms())
            .returning(*oauth_authorization_codes.c)
        )
        row = used[0]._mapping if used else None
        if row is None or not _code_fits(row, app, redirect_uri, verifier):
            raise OAuthError("invalid_grant", _INVALID_GRANT)
        return await _issue(store, conn, app.id, row["user_id"], frozenset(row["scopes"].split()))


def _code_fits(row: Any, app: Application, redirect_uri: str, verifier: str | None) -> bool:
    if row["application_id"] != app.id or row["expires_at"] < now_ms():
        return False
    if row["redirect_uri"] != redirect_uri:
        return False
    challenge = row["code_challenge"]
    if challenge is None:
        return True
    return verifier is not None and pkce_matches(verifier, challenge)


async def _issue(
    store: Store, conn: Connection, app_id: int, user_id: int | None, scopes: frozenset[str]
) -> IssuedToken:
    access = secrets.token_urlsafe(32)
    refresh = secrets.token_urlsafe(32) if user_id is not None else None
    now = now_ms()
    await conn.execute(
        insert(oauth_tokens).values(
            id=store.new_id(),
            token_hash=digest(access),
            refresh_token_hash=digest(refresh) if refresh else None,
            application_id=app_id,
            user_id=user_id,
            scopes=" ".join(sorted(scopes)),
            created_at=now,
        )
    )
    return IssuedToken(access, refresh, scopes, now)


def requested_scopes(app: Application, raw: str | None) -> frozenset[str]:
    """The scopes asked for, which must lie within the app's; the app's when none are given."""
    if not raw:
        return app.scopes
    scopes = parse_scopes(raw)
    if not scopes_within(scopes, app.scopes):
        raise OAuthError(
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        )
    return scopes


async def password_grant(
    store: Store,
    app: Application,
    login: str,
    password: str,
    raw_scopes: str | None,
    *,
    address: str,
) -> IssuedToken:
    scopes = requested_scopes(app, raw_scopes)
    user = await sign_in(store, address, login, password)
    if user is None:
        raise OAuthError("invalid_grant", _INVALID_GRANT)
    async with store.write() as conn:
        return await _issue(store, conn, app.id, user["id"], scopes)


async def client_credentials(store: Store, app: Application, raw_scopes: str | None) -> IssuedToken:
    scopes = requested_scopes(app, raw_scopes)
    async with store.write() as conn:
        return await _issue(store, conn, app.id, None, scopes)


async def refresh_grant(
    store: Store, app: Application, refresh_token: str, raw_scopes: str | None
) -> IssuedToken:
    """A new token pair for a refresh token; the old pair is revoked."""
    async with store.write() as conn:
        revoked = await conn.fetch_all(
            update(oauth_tokens)
            .where(
                oauth_tokens.c.refresh_token_hash == digest(refresh_token),
                oauth_tokens.c.application_id == app.id,
                oauth_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now_ms())
            .returning(oauth_tokens.c.user_id, oauth_tokens.c.scopes)
        )
        if not revoked:
            raise OAuthError("invalid_grant", _INVALID_GRANT)
        granted = frozenset(revoked[0]._mapping["scopes"].split())
        scopes = parse_scopes(raw_scopes) if raw_scopes else granted
        if not scopes_within(scopes, granted):
            raise OAuthError(
                "invalid_scope", "The requested scope is invalid, unknown, or malformed."
            )
        return await _issue(store, conn, app.id, revoked[0]._mapping["user_id"], scopes)


async def revoke(store: Store, app: Application, token: str) -> None:
    """Revoke an access or refresh token of this app; unknown tokens are no error (RFC 7009)."""
    hashed = digest(token)
    async with store.write() as conn:
        await conn.execute(
            update(oauth_tokens)
            .where(
                (oauth_tokens.c.token_hash == hashed)
                | (oauth_tokens.c.refresh_token_hash == hashed),
                oauth_tokens.c.application_id == app.id,
            )
            .values(revoked_at=now_ms())
        )


# Every API request asks this, so it is written out by hand (see rawsql).
_GRANT_SQL = (
    "SELECT t.id, t.user_id, t.scopes, t.application_id, u.account_id, u.role, u.disabled, "
    "a.suspended_at FROM oauth_tokens t LEFT JOIN users u ON u.id = t.user_id "
    "LEFT JOIN accounts a ON a.id = u.account_id "
    "WHERE t.token_hash = ? AND t.revoked_at IS NULL"
)
_GRANT_COLUMNS = [
    "id",
    "user_id",
    "scopes",
    "application_id",
    "account_id",
    "role",
    "disabled",
    "suspended_at",
]


async def authenticate(store: Store, access_token: str) -> TokenGrant | None:
    """What a bearer token grants, or None for an unknown, revoked or expired token."""
    found = await store.run_small(lambda: _grant_plan(access_token))
    if not found:
        return None
    m = found[0]
    if m["user_id"] is not None and (m["disabled"] or m["suspended_at"] is not None):
        return None
    return TokenGrant(
        token_id=m["id"],
        user_id=m["user_id"],
        account_id=m["account_id"],
        scopes=frozenset(m["scopes"].split()),
        application_id=m["application_id"],
        role=m["role"] or "user",
    )


def _grant_plan(access_token: str) -> Plan[list[dict[str, Any]]]:
    return (yield Query(_GRANT_SQL, _GRANT_COLUMNS, (digest(access_token),)))


def require_scope(grant: TokenGrant, required: str) -> None:
    if not scope_covers(grant.scopes, required):
        raise ForbiddenError("This action is outside the authorized scopes")


def check_pkce_method(challenge: str | None, method: str | None) -> None:
    if challenge is None:
        return
    if (method or "plain") != "S256":
        raise BadRequestError("Only the S256 code challenge method is supported")


async def username_of_user(store: Store, user_id: int) -> str | None:
    async with store.read() as conn:
        name = await conn.fetch_val(
            select(accounts.c.username)
            .join(users, users.c.account_id == accounts.c.id)
            .where(users.c.id == user_id, users.c.disabled.is_(False))
        )
    return str(name) if name is not None else None
