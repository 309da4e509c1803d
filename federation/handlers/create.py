"""Create: a remote post (Note, Article, Question; other types shown as Mastodon shows them)."""

from __future__ import annotations

from activitypub.errors import ActivityPubError
from activitypub.vocab import Activity, parse_document
from activitypub.vocab.fields import same_origin
from federation.errors import FetchError, InvalidActivityError
from federation.groups import receive_post
from federation.handlers.base import Context
from federation.incoming import note_of, store_note


async def handle(ctx: Context, activity: Activity) -> None:
    obj = activity.object
    if isinstance(obj, str):
        if not same_origin(obj, ctx.actor.uri):
            return
        try:
            obj = parse_document(await ctx.fed.fetcher.fetch_object(obj))
        except (FetchError, ActivityPubError):
            return
    if isinstance(obj, Activity):
        return
    try:
        note = note_of(obj, ctx.actor.uri)
    except InvalidActivityError:
        return  # an actor, a collection...: nothing Mastodon would show
    if note.author != ctx.actor.uri:
        return  # only the author may create their post
    if await receive_post(ctx.fed, ctx.actor, activity):
        return  # a post for one of our groups: taken (and announced) or refused
    await store_note(ctx.fed, note, ctx.actor)
