"""NodeInfo links and 2.0 / 2.1 documents: ours, and what peers send."""

from __future__ import annotations

import pytest

from activitypub.errors import ParseError
from activitypub.nodeinfo import (
    NodeInfo,
    Usage,
    build_nodeinfo,
    build_nodeinfo_links,
    nodeinfo_url_from_links,
    parse_nodeinfo,
)

USAGE = Usage(users_total=10, users_active_month=5, users_active_halfyear=7, local_posts=99)


def test_build_nodeinfo_links__lists_both_versions() -> None:
    links = build_nodeinfo_links("https://kommun-a.test/")
    assert [link["href"] for link in links["links"]] == [
        "https://kommun-a.test/nodeinfo/2.0",
        "https://kommun-a.test/nodeinfo/2.1",
    ]
    assert nodeinfo_url_from_links(links) == "https://kommun-a.test/nodeinfo/2.1"


def test_nodeinfo_url_from_links__falls_back_to_2_0_or_nothing() -> None:
    only_20 = {
        "links": [
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": "https://x.test/ni"},
            "junk",
        ]
    }
    assert nodeinfo_url_from_links(only_20) == "https://x.test/ni"
    assert nodeinfo_url_from_links({"links": []}) is None
    with pytest.raises(ParseError):
        nodeinfo_url_from_links([])


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_build_nodeinfo__round_trips_through_the_parser(version: str) -> None:
    document = build_nodeinfo(
        version,
        software_name="kollegium",
        software_version="0.1.0",
        open_registrations=False,
        usage=USAGE,
        metadata={"nodeName": "Kommun A"},
        repository="https://example.test/kollegium",
        homepage="https://example.test",
    )
    assert ("repository" in document["software"]) is (version == "2.1")
    assert parse_nodeinfo(document) == NodeInfo(
        version=version,
        software_name="kollegium",
        software_version="0.1.0",
        protocols=("activitypub",),
        open_registrations=False,
        usage=USAGE,
        metadata={"nodeName": "Kommun A"},
    )


def test_build_nodeinfo__refuses_unknown_versions() -> None:
    with pytest.raises(ValueError, match=r"1\.0"):
        build_nodeinfo(
            "1.0", software_name="k", software_version="1", open_registrations=True, usage=Usage()
        )


def test_parse_nodeinfo__tolerates_what_peers_leave_out() -> None:
    info = parse_nodeinfo({"software": {"name": "Mastodon", "version": 4}, "usage": "x"})
    assert info.software_name == "mastodon"
    assert info.software_version == ""
    assert info.protocols == ()
    assert info.usage == Usage()


@pytest.mark.parametrize("raw", [[], {"software": "x"}, {"software": {"name": ""}}])
def test_parse_nodeinfo__refuses_documents_without_software(raw: object) -> None:
    with pytest.raises(ParseError):
        parse_nodeinfo(raw)


def test_nodeinfo_url_from_links__ignores_links_with_odd_rels() -> None:
    links = {"links": [{"rel": ["x"], "href": "https://x.test/ni"}]}
    assert nodeinfo_url_from_links(links) is None
