"""Both schemes through one door: sign-then-verify holds for any request, tampering never does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activitypub.errors import MalformedSignatureError, SignatureError
from activitypub.keys import generate_ed25519_private_key, generate_rsa_private_key
from activitypub.signatures import (
    DoubleKnock,
    Scheme,
    detect_scheme,
    key_id_of,
    sign_request,
    verify_request,
)

RSA_KEY = generate_rsa_private_key()
ED_KEY = generate_ed25519_private_key()
KEY_ID = "https://kommun-a.example/users/alice#main-key"
NOW = 1_700_000_000.0
PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_VISIBLE = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
_PATH_CHARS = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-._~%/")
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]) | st.from_regex(
    r"[A-Z]{3,8}", fullmatch=True
)
paths = st.builds(
    lambda path, query: "/" + path + (f"?{query}" if query else ""),
    st.text(_PATH_CHARS, max_size=30),
    st.none() | st.text(st.sampled_from("abcxyz019=&-_.%"), min_size=1, max_size=20),
)
header_values = st.builds(
    lambda first, rest: first + rest,
    _VISIBLE,
    st.text(_VISIBLE | st.just(" "), max_size=40).map(str.rstrip),
)
extra_headers = st.dictionaries(
    st.sampled_from(["Accept", "Content-Type", "User-Agent", "X-Kollegium-Trace"]),
    header_values,
    max_size=3,
)
bodies = st.binary(max_size=300)
schemes = st.sampled_from(list(Scheme))
keys = st.sampled_from([RSA_KEY, ED_KEY])


def public_of(key: object) -> object:
    return key.public_key()  # type: ignore[attr-defined]


def sign(
    scheme: Scheme, method: str, path: str, headers: dict[str, str], body: bytes, key: object
) -> dict[str, str]:
    return sign_request(
        scheme=scheme,
        method=method,
        url=f"https://kommun-b.example{path}",
        headers=headers,
        body=body,
        key=key,  # type: ignore[arg-type]
        key_id=KEY_ID,
        now=NOW,
    )


def verify(method: str, path: str, headers: dict[str, str], body: bytes, key: object) -> str:
    return verify_request(
        method=method,
        path=path,
        headers=headers,
        body=body,
        key=public_of(key),
        now=NOW + 30,  # type: ignore[arg-type]
    )


@PROPERTIES
@given(schemes, keys, methods, paths, extra_headers, bodies)
def test_properties__sign_then_verify_holds_for_any_request(
    scheme: Scheme,
    key: object,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
) -> None:
    signed = sign(scheme, method, path, headers, body, key)
    assert detect_scheme(signed) is scheme
    assert key_id_of(signed) == KEY_ID
    assert verify(method, path, signed, body, key) == KEY_ID


def _flip(value: str, index: int, replacement: str) -> str:
    index %= len(value)
    if value[index].lower() == replacement.lower():
        replacement = "0" if replacement.lower() != "0" and value[index] != "0" else "1"
    return value[:index] + replacement + value[index + 1 :]


Mutation = Callable[[str, str, dict[str, str], bytes], tuple[str, str, dict[str, str], bytes]]


def _covered_headers(signed: dict[str, str], scheme: Scheme) -> list[str]:
    names = ["Host", "Date", "Digest", "Content-Digest", "Content-Type", "Accept"]
    present = [name for name in names if name in signed]
    if scheme is Scheme.RFC9421:
        # Our RFC 9421 requests cover @authority, date and content-digest.
        return [name for name in present if name in ("Host", "Date", "Content-Digest")]
    signature = signed["Signature"].lower()
    return [
        name
        for name in present
        if f" {name.lower()}" in signature or f'"{name.lower()}' in signature
    ]


@PROPERTIES
@given(schemes, keys, methods, paths, extra_headers, bodies, st.data())
def test_properties__changing_any_signed_byte_fails_verification(
    scheme: Scheme,
    key: object,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    data: st.DataObject,
) -> None:
    signed = sign(scheme, method, path, headers, body, key)
    covered = _covered_headers(signed, scheme)
    targets = ["method", "path", "signature", *covered]
    # The body is protected only through a digest that the signature covers: a GET may
    # carry a Digest header its signature leaves out, and Mastodon ignores that one too.
    if "Digest" in covered or "Content-Digest" in covered:
        targets.append("body")
    target = data.draw(st.sampled_from(targets), label="target")
    index = data.draw(st.integers(min_value=0, max_value=10_000), label="index")
    char = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), label="char")
    if target == "method":
        method = data.draw(methods.filter(lambda m: m.lower() != method.lower()), label="method")
    elif target == "path":
        path = _flip(path, index, char)
    elif target == "body":
        body = body + b"!" if not body else bytes([body[0] ^ 0x01]) + body[1:]
    elif target == "signature":
        name = "Signature"
        value = signed[name]
        start = (
            value.rindex(":", 0, len(value) - 1) + 1
            if scheme is Scheme.RFC9421
            else value.rindex('"', 0, -1) + 1
        )
        end = len(value) - 1
        position = start + index % max(1, end - start - 2)
        signed = signed | {
            name: value[:position]
            + ("A" if value[position] != "A" else "B")
            + value[position + 1 :]
        }
    else:
        signed = signed | {target: _flip(signed[target], index, char)}
    with pytest.raises(SignatureError):
        verify(method, path, signed, body, key)


# --- The door itself: scheme detection, keyId peeking, double-knocking -----------------------


def test_signatures__detects_rfc9421_by_signature_input() -> None:
    assert detect_scheme({"Signature-Input": "x", "Signature": "y"}) is Scheme.RFC9421


def test_signatures__detects_cavage_by_signature_or_authorization() -> None:
    assert detect_scheme({"signature": "x"}) is Scheme.CAVAGE
    assert detect_scheme({"Authorization": "Signature x"}) is Scheme.CAVAGE


def test_signatures__an_unsigned_request_says_so() -> None:
    with pytest.raises(MalformedSignatureError, match="not signed"):
        detect_scheme({"Host": "a.example"})


def test_signatures__key_id_of_needs_a_keyid_in_rfc9421() -> None:
    with pytest.raises(MalformedSignatureError, match="no keyid"):
        key_id_of({"Signature-Input": "sig1=();created=1", "Signature": "sig1=:AAAA:"})


def test_signatures__sign_request_adds_host_date_and_digest() -> None:
    signed = sign(Scheme.CAVAGE, "POST", "/inbox", {}, b"{}", RSA_KEY)
    assert signed["Host"] == "kommun-b.example"
    assert signed["Date"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert signed["Digest"].startswith("SHA-256=")
    rfc = sign(Scheme.RFC9421, "POST", "/inbox", {}, b"{}", RSA_KEY)
    assert rfc["Content-Digest"].startswith("sha-256=:")
    assert "Digest" not in rfc


def test_signatures__a_get_carries_no_digest() -> None:
    signed = sign(
        Scheme.CAVAGE, "GET", "/users/alice", {"Accept": "application/activity+json"}, b"", RSA_KEY
    )
    assert "Digest" not in signed
    assert 'headers="(request-target) host date accept"' in signed["Signature"]


def test_signatures__signs_a_url_with_a_port_and_an_empty_path() -> None:
    signed = sign_request(
        scheme=Scheme.RFC9421,
        method="GET",
        url="http://127.0.0.1:8001",
        headers={},
        body=b"",
        key=ED_KEY,
        key_id=KEY_ID,
        now=NOW,
    )
    assert signed["Host"] == "127.0.0.1:8001"
    assert (
        verify_request(
            method="GET",
            path="/",
            headers=signed,
            body=b"",
            key=ED_KEY.public_key(),
            now=NOW,
            scheme="http",
        )
        == KEY_ID
    )


def test_double_knock__tries_rfc9421_first_with_an_unknown_peer() -> None:
    knock = DoubleKnock()
    assert knock.scheme_for("Kommun-B.example") is Scheme.RFC9421
    assert knock.fallback_for("kommun-b.example", Scheme.RFC9421) is Scheme.CAVAGE


def test_double_knock__remembers_what_worked_per_domain() -> None:
    knock = DoubleKnock()
    knock.record_success("Kommun-B.example", Scheme.CAVAGE)
    assert knock.scheme_for("kommun-b.example") is Scheme.CAVAGE
    assert knock.remembered() == {"kommun-b.example": Scheme.CAVAGE}


def test_double_knock__does_not_fall_back_once_a_scheme_is_known() -> None:
    knock = DoubleKnock({"kommun-b.example": "rfc9421"})  # type: ignore[dict-item]
    assert knock.scheme_for("kommun-b.example") is Scheme.RFC9421
    assert knock.fallback_for("kommun-b.example", Scheme.RFC9421) is None


def test_double_knock__a_cavage_first_peer_falls_back_to_rfc9421() -> None:
    knock = DoubleKnock(first=Scheme.CAVAGE)
    assert knock.scheme_for("c.example") is Scheme.CAVAGE
    assert knock.fallback_for("c.example", Scheme.CAVAGE) is Scheme.RFC9421


def test_double_knock__forgets_a_domain() -> None:
    knock = DoubleKnock({"kommun-b.example": Scheme.CAVAGE})
    knock.forget("KOMMUN-B.example")
    knock.forget("never-seen.example")
    assert knock.remembered() == {}
