"""WebFinger: acct parsing with ports, our JRD and host-meta, and real peers' JRDs."""

from __future__ import annotations

import pytest

from activitypub.errors import WebFingerError
from activitypub.webfinger import (
    Acct,
    build_host_meta,
    build_jrd,
    parse_acct,
    parse_jrd,
    parse_resource,
)
from tests.activitypub.conftest import FIXTURES, load_fixture

JRD_FIXTURES = sorted(path.name for path in (FIXTURES / "webfinger").glob("*.json"))


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("acct:anna@kommun-a.test", Acct("anna", "kommun-a.test")),
        ("acct:anna@127.0.0.1:8001", Acct("anna", "127.0.0.1:8001")),
        ("@anna@Kommun-A.test", Acct("anna", "kommun-a.test")),
        ("anna.svensson@kommun-a.test", Acct("anna.svensson", "kommun-a.test")),
    ],
)
def test_parse_acct__reads_user_and_domain_with_port(resource: str, expected: Acct) -> None:
    assert parse_acct(resource) == expected


@pytest.mark.parametrize(
    "resource", ["acct:anna", "acct:@kommun-a.test", "acct:an na@x.test", "acct:a@b@", "a@-x/"]
)
def test_parse_acct__refuses_malformed_resources(resource: str) -> None:
    with pytest.raises(WebFingerError):
        parse_acct(resource)


def test_parse_resource__accepts_acct_or_an_actor_url() -> None:
    assert parse_resource("https://kommun-a.test/users/anna") == "https://kommun-a.test/users/anna"
    assert parse_resource("acct:anna@kommun-a.test") == Acct("anna", "kommun-a.test")
    with pytest.raises(WebFingerError):
        parse_resource("https:///nohost")


def test_build_jrd__round_trips_through_parse_jrd() -> None:
    acct = Acct("anna", "127.0.0.1:8001")
    jrd = build_jrd(
        acct,
        "http://127.0.0.1:8001/users/anna",
        "http://127.0.0.1:8001/@anna",
        "http://127.0.0.1:8001/authorize_interaction",
    )
    assert jrd["subject"] == "acct:anna@127.0.0.1:8001"
    assert jrd["links"][2]["template"].endswith("?uri={uri}")
    result = parse_jrd(jrd)
    assert result.actor_url == "http://127.0.0.1:8001/users/anna"
    assert result.profile_page == "http://127.0.0.1:8001/@anna"
    assert result.aliases == ("http://127.0.0.1:8001/@anna", "http://127.0.0.1:8001/users/anna")
    assert len(build_jrd(acct, "http://a.test/u", "http://a.test/@u")["links"]) == 2


@pytest.mark.parametrize("name", JRD_FIXTURES)
def test_parse_jrd__reads_recorded_documents(name: str) -> None:
    assert parse_jrd(load_fixture(f"webfinger/{name}")).actor_url.startswith("https://")


def test_parse_jrd__accepts_the_ld_json_media_type() -> None:
    link = {
        "rel": "self",
        "type": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        "href": "https://x.test/u/a",
    }
    raw = {"subject": "acct:a@x.test", "links": ["junk", {"rel": "self"}, link], "aliases": 1}
    result = parse_jrd(raw)
    assert result.actor_url == "https://x.test/u/a"
    assert result.aliases == ()
    assert result.profile_page is None


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"links": []},
        {"subject": "acct:a@x.test", "links": {}},
        {"subject": "acct:a@x.test", "links": [{"rel": "self", "type": "text/html"}]},
    ],
)
def test_parse_jrd__refuses_malformed_documents(raw: object) -> None:
    with pytest.raises(WebFingerError):
        parse_jrd(raw)


def test_build_host_meta__points_at_our_webfinger() -> None:
    xml = build_host_meta("https://kommun-a.test/")
    assert (
        '<Link rel="lrdd" template="https://kommun-a.test/.well-known/webfinger?resource={uri}"/>'
        in xml
    )
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
