"""Sanitize remote HTML to Mastodon's allow-list, and format local plain text as Mastodon does."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

LINK_REL = "nofollow noopener noreferrer"


def sanitize_html(html: str) -> str:
    """Clean remote HTML to Mastodon's allow-list; links get rel and target attributes."""
    from activitypub.sanitize import sanitize  # bleach, at the first remote text

    return sanitize(html)


# --- plain text to HTML -------------------------------------------------------------------

_URL = r"(?P<url>https?://[^\s<>\"']+)"
# Mastodon's Account::MENTION_RE, widened so a domain may carry a port (127.0.0.1:8001).
_MENTION = (
    r"(?<![=/\w])@(?P<mention>[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?"
    r"(?:@[\w.-]+\w(?::\d{1,5})?)?)"
)
# Mastodon's Tag::HASHTAG_RE in spirit: word characters with at least one letter (å ä ö too).
_HASHTAG = r"(?<![=/)\w])#(?P<hashtag>\w*[^\W\d_]\w*)"
_ENTITIES = re.compile(f"{_URL}|{_MENTION}|{_HASHTAG}", re.IGNORECASE)
_URL_PREFIX = re.compile(r"\A(?:https?://(?:www\.)?|xmpp:)")
_TRAILING = ".,;:!?'\"*"
_PARAGRAPHS = re.compile(r"\n\n+")
_LINE_BREAK = re.compile(r"([^\n]\n)(?=[^\n])")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})


@dataclass(frozen=True, slots=True)
class FoundMention:
    """A mention the formatter linked: ``acct`` is ``user`` or ``user@domain``."""

    acct: str
    url: str


@dataclass(frozen=True, slots=True)
class FormattedText:
    """The HTML of a local post and the mentions and hashtags found in it."""

    html: str
    mentions: tuple[FoundMention, ...]
    tags: tuple[str, ...]


def escape(text: str) -> str:
    """HTML-escape as Rails' ``h`` does."""
    return text.translate(_ESCAPES)


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and an unbalanced closing parenthesis, as linkifiers do."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def link_url(url: str) -> str:
    """A URL shortened the Mastodon way: scheme hidden, 30 characters shown, then an ellipsis."""
    prefix = _URL_PREFIX.match(url)
    start = prefix.end() if prefix else 0
    shown, rest = url[start : start + 30], url[start + 30 :]
    ellipsis = "ellipsis" if rest else ""
    return (
        f'<a href="{escape(url)}" target="_blank" rel="{LINK_REL}">'
        f'<span class="invisible">{escape(url[:start])}</span>'
        f'<span class="{ellipsis}">{escape(shown)}</span>'
        f'<span class="invisible">{escape(rest)}</span></a>'
    )


def _link_mention(url: str, acct: str) -> str:
    username = acct.split("@", 1)[0]
    return (
        f'<span class="h-card"><a href="{escape(url)}" class="u-url mention">'
        f"@<span>{escape(username)}</span></a></span>"
    )


def _link_hashtag(url: str, tag: str) -> str:
    return (
        f'<a href="{escape(url)}" class="mention hashtag" rel="tag">#<span>{escape(tag)}</span></a>'
    )


def _simple_format(html: str) -> str:
    """Rails' ``simple_format``: paragraphs on blank lines, ``<br />`` on single line breaks."""
    paragraphs = _PARAGRAPHS.split(html.replace("\r\n", "\n").replace("\r", "\n"))
    broken = (_LINE_BREAK.sub(r"\1<br />", part).replace("\n", "") for part in paragraphs)
    return "".join(f"<p>{part}</p>" for part in broken)


class _Rewriter:
    """One pass over a post's text, linking entities and remembering what it linked."""

    def __init__(
        self, resolve_mention: Callable[[str], str | None], tag_url: Callable[[str], str]
    ) -> None:
        self.resolve_mention = resolve_mention
        self.tag_url = tag_url
        self.mentions: dict[str, FoundMention] = {}
        self.tags: dict[str, str] = {}

    def entity(self, match: re.Match[str]) -> tuple[str, int]:
        """The HTML for one match and where the text after it starts."""
        if match["url"] is not None:
            url = _trim_url(match["url"])
            return link_url(url), match.start() + len(url)
        if match["mention"] is not None:
            return self._mention(match["mention"]), match.end()
        tag = match["hashtag"]
        self.tags.setdefault(tag.lower(), tag)
        return _link_hashtag(self.tag_url(tag), tag), match.end()

    def _mention(self, acct: str) -> str:
        url = self.resolve_mention(acct)
        if url is None:
            return "@" + escape(acct)
        self.mentions.setdefault(acct.lower(), FoundMention(acct, url))
        return _link_mention(url, acct)


def format_plain_text(
    text: str,
    resolve_mention: Callable[[str], str | None],
    tag_url: Callable[[str], str],
) -> FormattedText:
    """Turn a local plain-text post into Mastodon's HTML, linking URLs, mentions and hashtags.

    ``resolve_mention`` gets ``user`` or ``user@domain`` and returns the profile URL, or None
    to leave the text as written; ``tag_url`` gets a hashtag (without ``#``) and returns its URL.
    """
    text = text.strip()
    if not text:
        return FormattedText("", (), ())
    rewriter = _Rewriter(resolve_mention, tag_url)
    parts, position = [], 0
    for match in _ENTITIES.finditer(text):
        html, end = rewriter.entity(match)
        parts.append(escape(text[position : match.start()]) + html)
        position = end
    parts.append(escape(text[position:]))
    return FormattedText(
        html=_simple_format("".join(parts)),
        mentions=tuple(rewriter.mentions.values()),
        tags=tuple(rewriter.tags.values()),
    )
