"""The bundled JSON-LD contexts load by URL and are the real published documents."""

from __future__ import annotations

import pytest

from activitypub.contexts import (
    ACTIVITYSTREAMS,
    DATA_INTEGRITY_V1,
    MULTIKEY_V1,
    SECURITY_V1,
    known_context_urls,
    load_context,
)


@pytest.mark.parametrize(
    ("url", "term"),
    [
        (ACTIVITYSTREAMS, "sharedInbox"),
        (SECURITY_V1, "publicKeyPem"),
        (DATA_INTEGRITY_V1, "DataIntegrityProof"),
        (MULTIKEY_V1, "Multikey"),
    ],
)
def test_load_context__returns_each_bundled_context(url: str, term: str) -> None:
    document = load_context(url)
    assert document is not None
    assert term in document["@context"]


@pytest.mark.parametrize(
    "url",
    [
        "http://www.w3.org/ns/activitystreams",
        "https://www.w3.org/ns/activitystreams/",
        "https://www.w3.org/ns/activitystreams.jsonld",
    ],
)
def test_load_context__accepts_common_spellings_of_a_url(url: str) -> None:
    assert load_context(url) == load_context(ACTIVITYSTREAMS)


def test_load_context__returns_none_for_contexts_we_do_not_bundle() -> None:
    assert load_context("https://example.test/context") is None


def test_load_context__returns_a_copy_callers_may_change() -> None:
    first = load_context(SECURITY_V1)
    assert first is not None
    first["@context"].clear()
    assert load_context(SECURITY_V1)["@context"]  # type: ignore[index]


def test_known_context_urls__lists_all_four() -> None:
    assert known_context_urls() == {ACTIVITYSTREAMS, SECURITY_V1, DATA_INTEGRITY_V1, MULTIKEY_V1}


def test_activitystreams_context__is_the_published_one_with_the_https_namespace() -> None:
    context = load_context(ACTIVITYSTREAMS)["@context"]  # type: ignore[index]
    assert context["as"] == "https://www.w3.org/ns/activitystreams#"
    assert context["Public"] == {"@id": "as:Public", "@type": "@id"}
