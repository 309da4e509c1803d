"""Create: a remote post (Note, Article, Question; other types shown as Mastodon shows them)."""

from __future__ import annotations

from activitypub.errors import ActivityPubError
from activitypub.vocab import Activity, Mention, Note, parse_document
from activitypub.vocab.fields import same_origin
from federation.errors import FetchError, InvalidActivityError
from federation.groups import receive_post
from federation.handlers.base import Context
from federation.incoming import note_of, store_note
from fediverse.rawsql import Raw


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
    if await _may_be_for_a_group(ctx, note) and await receive_post(ctx.fed, ctx.actor, activity):
        return  # a post for one of our groups: taken (and announced) or refused
    await store_note(ctx.fed, note, ctx.actor, receipt=ctx.receipt)


async def _may_be_for_a_group(ctx: Context, note: Note) -> bool:
    """A post for one of our groups replies in a thread or names one of our Group actors;
    one query tells, where the group look-ups take one or two for every name."""
    if note.in_reply_to is not None:
        return True
    base = ctx.fed.runtime.settings.base_url + "/"
    mentions = (t.href for t in note.tags if isinstance(t, Mention))
    local = [uri for uri in {*note.audience, *note.to, *note.cc, *mentions} if uri.startswith(base)]
    if not local:
        return False
    sql = (
        f"SELECT count(*) FROM accounts WHERE uri IN ({', '.join('?' * len(local))}) "  # noqa: S608
        "AND domain IS NULL AND actor_type = 'Group'"
    )
    async with ctx.store.read() as conn:
        found = await Raw(conn).rows(sql, ("n",), *local)
    return bool(found[0]["n"])
