"""Request parameters: Rails-style keys, booleans, ids, and their errors."""

from __future__ import annotations

import pytest

from fediverse.errors import BadRequestError, ValidationError
from web.mastodon.params import Params, nest_pairs, split_key


def test_split_key__reads_rails_brackets() -> None:
    assert split_key("poll[options][]") == ["poll", "options", ""]
    assert split_key("fields_attributes[0][name]") == ["fields_attributes", "0", "name"]
    assert split_key("status") == ["status"]


def test_nest_pairs__builds_lists_and_objects() -> None:
    nested = nest_pairs(
        [
            ("media_ids[]", "1"),
            ("media_ids[]", "2"),
            ("poll[options][]", "ja"),
            ("poll[options][]", "nej"),
            ("poll[expires_in]", "600"),
            ("fields_attributes[0][name]", "Enhet"),
            ("fields_attributes[0][value]", "Skola"),
            ("fields_attributes[1][name]", "Ort"),
            ("source[privacy]", "private"),
        ]
    )
    assert nested["media_ids"] == ["1", "2"]
    assert nested["poll"] == {"options": ["ja", "nej"], "expires_in": "600"}
    assert nested["fields_attributes"]["1"] == {"name": "Ort"}
    assert nested["source"] == {"privacy": "private"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("on", True), ("false", False), ("0", False), (True, True)],
)
def test_flag__reads_booleans_as_mastodon_does(raw: object, expected: bool) -> None:
    assert Params({"x": raw}).flag("x") is expected


def test_flag__refuses_other_words() -> None:
    with pytest.raises(ValidationError):
        Params({"x": "maybe"}).flag("x")


def test_ids__are_digit_strings() -> None:
    assert Params({"id": "123"}).id("id") == 123
    assert Params({"id": ["1", "2"]}).id_list("id") == [1, 2]
    with pytest.raises(ValidationError):
        Params({"id": "12a"}).id("id")
    with pytest.raises(ValidationError):
        Params({"id": ["1", "x"]}).id_list("id")


def test_required_str__names_the_missing_parameter() -> None:
    with pytest.raises(BadRequestError, match="status"):
        Params({}).required_str("status")


def test_text__refuses_objects_and_overlong_values() -> None:
    with pytest.raises(ValidationError):
        Params({"status": {"a": 1}}).text("status")
    with pytest.raises(ValidationError):
        Params({"status": "x" * 11}).text("status", max_length=10)


def test_too_many_parameters_are_refused() -> None:
    with pytest.raises(BadRequestError):
        nest_pairs([(f"k{i}", "v") for i in range(2000)])


def test_times_are_written_as_mastodon_writes_them() -> None:
    from web.mastodon.serializers.common import iso_date, iso_midnight, iso_time

    assert iso_time(1_795_770_000_123) == "2026-11-27T09:00:00.123Z"
    assert iso_time(5) == "1970-01-01T00:00:00.005Z"
    assert iso_midnight(1_795_770_000_123) == "2026-11-27T00:00:00.000Z"
    assert iso_date(1_795_770_000_123) == "2026-11-27"
