"""Parses per second of a typical Create(Note) with one mention and one attachment (one core)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activitypub.vocab import Create, parse_document

ACTIVITY = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        {
            "ostatus": "http://ostatus.org#",
            "atomUri": "ostatus:atomUri",
            "conversation": "ostatus:conversation",
            "sensitive": "as:sensitive",
            "toot": "http://joinmastodon.org/ns#",
            "blurhash": "toot:blurhash",
            "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
        },
    ],
    "id": "https://kommun-b.se/users/anna/statuses/112233445566778899/activity",
    "type": "Create",
    "actor": "https://kommun-b.se/users/anna",
    "published": "2024-05-01T10:00:00Z",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["https://kommun-b.se/users/anna/followers", "https://kommun-a.se/users/bo"],
    "object": {
        "id": "https://kommun-b.se/users/anna/statuses/112233445566778899",
        "type": "Note",
        "summary": None,
        "inReplyTo": None,
        "published": "2024-05-01T10:00:00Z",
        "url": "https://kommun-b.se/@anna/112233445566778899",
        "attributedTo": "https://kommun-b.se/users/anna",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["https://kommun-b.se/users/anna/followers", "https://kommun-a.se/users/bo"],
        "sensitive": False,
        "atomUri": "https://kommun-b.se/users/anna/statuses/112233445566778899",
        "conversation": "tag:kommun-b.se,2024-05-01:objectId=1234:objectType=Conversation",
        "content": '<p><span class="h-card"><a href="https://kommun-a.se/@bo" class="u-url '
        'mention">@<span>bo</span></a></span> Här är bilden från fikat!</p>',
        "contentMap": {"sv": "<p>Här är bilden från fikat!</p>"},
        "attachment": [
            {
                "type": "Document",
                "mediaType": "image/jpeg",
                "url": "https://files.kommun-b.se/media_attachments/files/112/original/a.jpg",
                "name": "Kaffekoppar på ett bord",
                "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
                "focalPoint": [0.0, 0.0],
                "width": 1200,
                "height": 900,
            }
        ],
        "tag": [
            {"type": "Mention", "href": "https://kommun-a.se/users/bo", "name": "@bo@kommun-a.se"}
        ],
        "replies": {
            "id": "https://kommun-b.se/users/anna/statuses/112233445566778899/replies",
            "type": "Collection",
            "first": {"type": "CollectionPage", "items": []},
        },
    },
}


def main(seconds: float = 3.0) -> None:
    body = orjson.dumps(ACTIVITY)
    assert isinstance(parse_document(orjson.loads(body)), Create)
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(1000):
            parse_document(orjson.loads(body))
        count += 1000
    elapsed = time.perf_counter() - started
    print(f"parse Create(Note) with 1 mention + 1 attachment: {count / elapsed:,.0f} parses/s")


if __name__ == "__main__":
    main()
