"""Sanitize remote HTML to Mastodon's allow-list (bleach and html5lib).

Imported by ``activitypub.html.sanitize_html`` at the first remote text: a server that has
not yet received any does not pay bleach's 4 MB.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner

from activitypub.html import LINK_REL

ALLOWED_TAGS = frozenset(
    {"p", "br", "span", "a", "del", "pre", "code", "em", "strong", "b", "i", "u"}
    | {"ul", "ol", "li", "blockquote"}
)
ALLOWED_CLASSES = frozenset({"mention", "hashtag", "invisible", "ellipsis", "h-card", "u-url"})
# Mastodon's LINK_PROTOCOLS, plus mailto.
LINK_PROTOCOLS = frozenset(
    {"http", "https", "mailto", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp"}
    | {"magnet", "gemini"}
)

# Dropped together with everything inside them, not just unwrapped.
_DROP_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
# Headings become a bold paragraph, as Mastodon renders them.
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ATTRIBUTES = {
    "a": ["href", "rel", "class"],
    "span": ["class"],
    "p": ["class"],
    "ol": ["start", "reversed"],
    "li": ["value"],
}
_CLASS = (None, "class")
_HREF = (None, "href")

Token = dict[str, Any]


class _MastodonFilter(Filter):  # type: ignore[misc]
    """Post-sanitizer pass: drop script-like content, fix links, headings and classes."""

    def __iter__(self) -> Iterator[Token]:
        dropping = 0
        unwrapped_links = 0
        for token in super().__iter__():
            name = token.get("name")
            kind = token["type"]
            if name in _DROP_WITH_CONTENT:
                dropping += 1 if kind == "StartTag" else -1 if kind == "EndTag" else 0
                continue
            if dropping:
                continue
            if name == "a" and kind == "StartTag" and _HREF not in token["data"]:
                unwrapped_links += 1
                continue
            if name == "a" and kind == "EndTag" and unwrapped_links:
                unwrapped_links -= 1
                continue
            yield from _rewrite(token)


def _rewrite(token: Token) -> Iterator[Token]:
    """Rewrite one kept token: headings, link attributes and the class allow-list."""
    name, kind = token.get("name"), token["type"]
    if name in _HEADINGS:
        pair = [("p", None), ("strong", None)]
        ordered = pair if kind == "StartTag" else list(reversed(pair))
        for tag, _ in ordered:
            yield {"type": kind, "name": tag, "data": {}, "namespace": token.get("namespace")}
        return
    if kind in ("StartTag", "EmptyTag") and token.get("data"):
        _filter_classes(token["data"])
        if name == "a":
            token["data"][(None, "rel")] = LINK_REL
            token["data"][(None, "target")] = "_blank"
    yield token


def _filter_classes(attributes: dict[tuple[str | None, str], str]) -> None:
    if _CLASS not in attributes:
        return
    kept = [value for value in attributes[_CLASS].split() if value in ALLOWED_CLASSES]
    if kept:
        attributes[_CLASS] = " ".join(kept)
    else:
        del attributes[_CLASS]


_CLEANER = Cleaner(
    tags=ALLOWED_TAGS | _DROP_WITH_CONTENT | _HEADINGS,
    attributes=_ATTRIBUTES,
    protocols=LINK_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_MastodonFilter],
)


def sanitize(html: str) -> str:
    """Clean remote HTML to Mastodon's allow-list; links get rel and target attributes."""
    return str(_CLEANER.clean(html))
