"""The web app's defences without a browser: the CSP and headers, the CSRF check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from tests.conftest import make_settings
from web.mastodon import sessions
from web.ui.security import CSP, csrf_valid, same_origin, secure

SETTINGS = make_settings(domain="kommun-a.test")
SEED = "s" * 43


def _request(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "query_string": b"", "headers": raw})


def test_csp__strict_no_inline_nothing_from_other_hosts() -> None:
    directives = dict(d.split(" ", 1) for d in CSP.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in CSP and "http" not in CSP and "*" not in CSP


def test_secure__adds_every_header_and_hsts_only_over_https() -> None:
    response = secure(Response(), SETTINGS)
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers  # DEV_INSECURE: plain http
    https = make_settings(domain="kommun-a.test", dev_insecure=False)
    assert "strict-transport-security" in secure(Response(), https).headers


def test_same_origin__by_origin_or_fetch_metadata() -> None:
    assert same_origin(_request({"origin": "https://kommun-a.test"}), SETTINGS)
    assert not same_origin(_request({"origin": "https://evil.example"}), SETTINGS)
    assert not same_origin(_request({"origin": "null"}), SETTINGS)
    assert same_origin(_request({}), SETTINGS)  # an old browser sends neither
    assert not same_origin(_request({"sec-fetch-site": "cross-site"}), SETTINGS)


def test_csrf__the_token_must_match_the_cookie_and_the_origin_must_be_ours() -> None:
    token = sessions.csrf_token(SETTINGS, SEED)
    ours = {"origin": "https://kommun-a.test", "cookie": f"{sessions.CSRF_COOKIE}={SEED}"}
    assert csrf_valid(_request(ours), SETTINGS, token)
    assert not csrf_valid(_request(ours), SETTINGS, "0" * 64)
    assert not csrf_valid(_request(ours), SETTINGS, "")
    assert not csrf_valid(_request({**ours, "origin": "https://evil.example"}), SETTINGS, token)
    assert not csrf_valid(_request({"origin": "https://kommun-a.test"}), SETTINGS, token)
    other = make_settings(domain="kommun-a.test", secret_key="y" * 40)
    assert not csrf_valid(_request(ours), other, token)


def test_local_path__only_this_site_is_a_redirect_target() -> None:
    from web.ui.views import local_path

    assert local_path("/settings?saved=1") == "/settings?saved=1"
    for outside in ("//evil.example", "/\\evil.example", "https://evil.example/", "x", "/a\r\nb"):
        assert local_path(outside, "/") == "/", outside
