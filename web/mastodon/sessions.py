"""The browser session of the web app and the sign-in page: a signed cookie, and CSRF tokens
derived from it. Both cookies cover the whole site, so that signing in to the web app also
signs in to the consent page Mastodon apps open (as on Mastodon)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from fediverse.ids import now_ms
from fediverse.settings import Settings

SESSION_COOKIE = "kollegium_session"
CSRF_COOKIE = "kollegium_csrf"
SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000


def _sign(settings: Settings, value: str) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def session_user(request: Request, settings: Settings) -> int | None:
    """The user id of a valid session cookie, or None."""
    found = session_of(request, settings)
    return found[0] if found is not None else None


def session_of(request: Request, settings: Settings) -> tuple[int, int] | None:
    """The user id and the start (unix ms) of a valid session cookie, or None; the start lets
    a user's "sign out" end the sessions begun before it."""
    raw = request.cookies.get(SESSION_COOKIE, "")
    parts = raw.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    if not hmac.compare_digest(parts[2], _sign(settings, f"session:{parts[0]}.{parts[1]}")):
        return None
    if int(parts[1]) < now_ms():
        return None
    return int(parts[0]), int(parts[1]) - SESSION_LIFETIME_MS


def start_session(response: Response, settings: Settings, user_id: int) -> None:
    expires = now_ms() + SESSION_LIFETIME_MS
    value = f"{user_id}.{expires}"
    response.set_cookie(
        SESSION_COOKIE,
        f"{value}.{_sign(settings, 'session:' + value)}",
        max_age=SESSION_LIFETIME_MS // 1000,
        httponly=True,
        secure=not settings.dev_insecure,
        samesite="lax",
        path="/",
    )


def csrf_seed(request: Request) -> tuple[str, bool]:
    """The browser's CSRF seed, and whether it is new (and must be set as a cookie)."""
    seed = request.cookies.get(CSRF_COOKIE, "")
    if len(seed) == 43:
        return seed, False
    return secrets.token_urlsafe(32), True


def csrf_token(settings: Settings, seed: str) -> str:
    return _sign(settings, f"csrf:{seed}")


def set_csrf_cookie(response: Response, settings: Settings, seed: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        seed,
        httponly=True,
        secure=not settings.dev_insecure,
        samesite="lax",
        path="/",
    )


def csrf_ok(request: Request, settings: Settings, submitted: str) -> bool:
    seed = request.cookies.get(CSRF_COOKIE, "")
    return bool(seed) and hmac.compare_digest(submitted, csrf_token(settings, seed))


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
