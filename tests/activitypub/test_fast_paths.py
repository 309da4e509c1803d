"""The parse and verify fast paths: memos stay bounded and agree with the general paths."""

from __future__ import annotations

import dataclasses
from email.utils import formatdate

import pytest

from activitypub.errors import InvalidIdError, MalformedSignatureError
from activitypub.signatures import _common, cavage
from activitypub.vocab import Attachment, Mention, Note, fields, parse_note
from activitypub.vocab.construct import fast_constructor
from activitypub.vocab.fields import (
    check_url,
    is_url,
    origin_of,
    read_ids,
    require_same_origin,
)
from activitypub.vocab.media import parse_attachment


def test_fast_constructor__builds_an_equal_instance_that_stays_frozen() -> None:
    new_mention = fast_constructor(Mention)
    mention = new_mention("https://kommun-a.se/users/bo")
    assert type(mention) is Mention
    assert mention == Mention("https://kommun-a.se/users/bo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        mention.name = "@bo"  # type: ignore[misc]


def test_fast_constructor__fills_default_factories_afresh_for_each_instance() -> None:
    new_note = fast_constructor(Note)
    first, second = new_note("https://a.se/1", "Note", ()), new_note("https://a.se/2", "Note", ())
    assert first.content_map == {} and first.raw == {}
    assert first.raw is not second.raw


def test_fast_constructor__refuses_what_is_not_a_dataclass() -> None:
    with pytest.raises(TypeError):
        fast_constructor(int)


def test_origin_of__a_remembered_prefix_gives_the_same_answer_as_a_match() -> None:
    urls = [
        "https://Kommun-B.se:443/a",
        "https://kommun-b.se:443/b",
        "http://x.se:80",
        "http://x.se",
    ]
    assert [origin_of(url) for url in urls] == [
        "https://kommun-b.se",
        "https://kommun-b.se",
        "http://x.se",
        "http://x.se",
    ]


def test_origin_of__a_query_right_after_the_host_is_never_remembered_as_a_prefix() -> None:
    assert origin_of("https://q.se?x=/y") == "https://q.se"
    assert "https://q.se?x=" not in fields._KNOWN_ORIGINS
    assert not is_url("https://q.se@x/y")


def test_origin_of__the_memo_is_emptied_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fields, "_KNOWN_ORIGINS", {})
    monkeypatch.setattr(fields, "_KNOWN_ORIGINS_SIZE", 2)
    for host in ("a.se", "b.se", "c.se"):
        assert origin_of(f"https://{host}/x") == f"https://{host}"
    assert list(fields._KNOWN_ORIGINS) == ["https://c.se"]


def test_url_helpers__refuse_what_is_not_an_http_url() -> None:
    with pytest.raises(InvalidIdError):
        check_url("ftp://a.se/x", "object")
    with pytest.raises(InvalidIdError):
        require_same_origin("https://a.se/1", "https://b.se/users/x", "id")
    require_same_origin("https://A.se/1", "https://a.se:443/users/x", "id")
    assert read_ids({"attributedTo": "not a url"}, "attributedTo") == ()


def test_parse_note__an_attributed_to_that_is_not_a_url_is_dropped() -> None:
    note = parse_note({"id": "https://a.se/1", "type": "Note", "attributedTo": "a.se/users/x"})
    assert note.attributed_to == ()


def test_parse_attachment__focal_points_of_any_number_type_but_only_in_range() -> None:
    raw = {"type": "Image", "url": "https://a.se/m.jpg"}
    for value, expected in [
        ([0.5, -1], (0.5, -1.0)),
        ([0.5, 2.0], None),
        ("0,0", None),
        ([0.1], None),
    ]:
        attachment = parse_attachment(raw | {"focalPoint": value})
        assert isinstance(attachment, Attachment)
        assert attachment.focal_point == expected


def test_parse_http_date__dates_in_a_remembered_hour_match_the_full_parser() -> None:
    _common._DATE_CACHE.clear()
    _common._HOUR_CACHE.clear()
    for moment in range(1_700_000_000, 1_700_000_000 + 7300, 7):
        assert _common.parse_http_date(formatdate(moment, usegmt=True)) == moment
    assert len(_common._HOUR_CACHE) == 3


def test_parse_http_date__a_fixdate_with_a_leap_second_or_odd_spacing_is_not_a_known_hour() -> None:
    _common._HOUR_CACHE.clear()
    assert _common.parse_http_date("Tue, 14 Nov 2023 22:13:60 GMT") == 1_700_000_040
    _common._HOUR_CACHE.clear()
    _common.parse_http_date("Tue,  14 Nov 2023 22:13:20 GMT")
    assert _common._HOUR_CACHE == {}


@pytest.mark.parametrize("clock", ["22013:20", "22:13:20:05"])
def test_parse_http_date__a_clock_without_three_fields_is_a_malformed_date(clock: str) -> None:
    # Found by the signature property test: a ':' of a signed Date turned into a digit
    # made the fixdate parser index past its fields (IndexError, not a refusal).
    _common._DATE_CACHE.clear()
    with pytest.raises(MalformedSignatureError, match="not an HTTP date"):
        _common.parse_http_date(f"Tue, 14 Nov 2023 {clock} GMT")


def test_parse_http_date__the_hour_memo_is_emptied_when_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_common, "_HOUR_CACHE", {})
    monkeypatch.setattr(_common, "_DATE_CACHE_SIZE", 1)
    for moment in (1_700_000_000, 1_700_003_600):
        assert _common.parse_http_date(formatdate(moment, usegmt=True)) == moment
    assert len(_common._HOUR_CACHE) == 1


def test_signed_header_names__the_memo_is_emptied_when_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cavage, "_NAMES_CACHE", {})
    monkeypatch.setattr(cavage, "_NAMES_CACHE_SIZE", 1)
    for names in ("date host", "Date Digest"):
        header = f'keyId="https://a.se/k",headers="{names}",signature="AAAA"'
        assert cavage.parse_signature_header(header).headers == tuple(names.lower().split())
    assert list(cavage._NAMES_CACHE) == ["Date Digest"]


def test_parse_signature_header__the_canonical_shape_reads_as_the_strict_parser_does() -> None:
    header = 'keyId="https://a.se/k",algorithm="rsa-sha256",headers="date",signature="AAAA"'
    assert cavage._parse_canonical_params(header) == cavage._parse_params_strictly(header)
    for odd in (header + ",", header.replace(",alg", ", alg"), 'keyId="a",keyId="b"'):
        assert cavage._parse_canonical_params(odd) is None
    with pytest.raises(MalformedSignatureError):
        cavage.parse_signature_header('keyId="a",keyId="b",signature="AAAA"')
