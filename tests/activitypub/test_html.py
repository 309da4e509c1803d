"""Remote HTML is cleaned to Mastodon's allow-list; local text is formatted as Mastodon does."""

from __future__ import annotations

import pytest

from activitypub.html import FoundMention, escape, format_plain_text, link_url, sanitize_html

PROFILES = {
    "anna": "https://kommun-a.test/@anna",
    "bo@kommun-b.test": "https://kommun-b.test/@bo",
    "cia@127.0.0.1:8001": "http://127.0.0.1:8001/@cia",
}


def format_text(text: str):  # type: ignore[no-untyped-def]
    return format_plain_text(
        text, PROFILES.get, lambda tag: f"https://kommun-a.test/tags/{tag.lower()}"
    )


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hej <b>du</b></p>", "<p>Hej <b>du</b></p>"),
        ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
        ("<style>p {color: red}</style>text", "text"),
        ("<p onclick='x()' style='color:red'>x</p>", "<p>x</p>"),
        ("<img src='https://x.test/a.png'>bild", "bild"),
        ("<!-- hidden -->synligt", "synligt"),
        ('<a href="javascript:alert(1)">klick</a>', "klick"),
        ('<a href="data:text/html,x">klick</a>', "klick"),
        ("<h2>Rubrik</h2>", "<p><strong>Rubrik</strong></p>"),
        ('<span class="invisible evil">x</span>', '<span class="invisible">x</span>'),
        ('<span class="evil">x</span>', "<span>x</span>"),
        (
            "<ol start='3' onclick='x'><li value='4'>a</li></ol>",
            '<ol start="3"><li value="4">a</li></ol>',
        ),
        ("<iframe src='https://x.test'>fallback</iframe>ok", "ok"),
    ],
)
def test_sanitize_html__keeps_only_mastodons_allow_list(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    "href", ["https://x.test/a", "http://x.test/", "mailto:a@x.test", "gemini://x.test"]
)
def test_sanitize_html__marks_allowed_links_nofollow_and_blank(href: str) -> None:
    html = sanitize_html(f'<a href="{href}" rel="me" target="_self" class="u-url mention">x</a>')
    assert html == (
        f'<a href="{href}" rel="nofollow noopener noreferrer" class="u-url mention" '
        'target="_blank">x</a>'
    )


def test_sanitize_html__keeps_a_mastodon_mention_intact() -> None:
    mention = (
        '<span class="h-card"><a href="https://kommun-b.test/@bo" class="u-url mention">'
        "@<span>bo</span></a></span>"
    )
    assert "u-url mention" in sanitize_html(mention)
    assert 'class="h-card"' in sanitize_html(mention)


def test_format_plain_text__links_local_and_remote_mentions() -> None:
    result = format_text("Hej @anna och @bo@kommun-b.test!")
    assert result.html == (
        '<p>Hej <span class="h-card"><a href="https://kommun-a.test/@anna" class="u-url mention">'
        '@<span>anna</span></a></span> och <span class="h-card">'
        '<a href="https://kommun-b.test/@bo" class="u-url mention">@<span>bo</span></a></span>!</p>'
    )
    assert result.mentions == (
        FoundMention("anna", "https://kommun-a.test/@anna"),
        FoundMention("bo@kommun-b.test", "https://kommun-b.test/@bo"),
    )


def test_format_plain_text__links_a_mention_on_a_domain_with_a_port() -> None:
    result = format_text("@cia@127.0.0.1:8001 hej")
    assert result.mentions == (FoundMention("cia@127.0.0.1:8001", "http://127.0.0.1:8001/@cia"),)


def test_format_plain_text__leaves_unknown_mentions_as_text() -> None:
    result = format_text("Hej @okand och e-post anna@kommun-a.test")
    assert result.html == "<p>Hej @okand och e-post anna@kommun-a.test</p>"
    assert result.mentions == ()


def test_format_plain_text__links_swedish_hashtags_once_each() -> None:
    result = format_text("#Förskola och #förskola och #åäö men inte #2024")
    assert result.tags == ("Förskola", "åäö")
    assert (
        '<a href="https://kommun-a.test/tags/förskola" class="mention hashtag" rel="tag">'
        "#<span>Förskola</span></a>"
    ) in result.html
    assert "#2024" in result.html


def test_format_plain_text__shortens_urls_the_mastodon_way() -> None:
    result = format_text("Läs https://www.example.com/a/very/long/path/that/goes/on?x=1&y=2.")
    assert result.html == (
        '<p>Läs <a href="https://www.example.com/a/very/long/path/that/goes/on?x=1&amp;y=2" '
        'target="_blank" rel="nofollow noopener noreferrer"><span class="invisible">'
        'https://www.</span><span class="ellipsis">example.com/a/very/long/path/t</span>'
        '<span class="invisible">hat/goes/on?x=1&amp;y=2</span></a>.</p>'
    )


def test_format_plain_text__keeps_mentions_and_tags_inside_urls_as_part_of_the_url() -> None:
    result = format_text("(https://kommun-a.test/@anna#tag)")
    assert result.mentions == () and result.tags == ()
    assert result.html.endswith("</a>)</p>")


def test_format_plain_text__makes_paragraphs_and_line_breaks_and_escapes() -> None:
    result = format_text("  Rad 1\nRad <2> & 'citat'\r\n\r\n\nNytt stycke\n")
    assert result.html == (
        "<p>Rad 1<br />Rad &lt;2&gt; &amp; &#39;citat&#39;</p><p>Nytt stycke</p>"
    )


def test_format_plain_text__returns_nothing_for_blank_text() -> None:
    assert format_text("  \n ").html == ""


def test_link_url__shows_short_urls_whole() -> None:
    assert link_url("xmpp:anna@kommun-a.test") == (
        '<a href="xmpp:anna@kommun-a.test" target="_blank" rel="nofollow noopener noreferrer">'
        '<span class="invisible">xmpp:</span><span class="">anna@kommun-a.test</span>'
        '<span class="invisible"></span></a>'
    )
    assert escape("<\"'&>") == "&lt;&quot;&#39;&amp;&gt;"
