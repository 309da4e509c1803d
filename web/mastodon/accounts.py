"""Account routes: the signed-in user's own account, profiles, and relationships."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import directory, profiles, relationships, staff_profiles, timelines
from fediverse.errors import ValidationError
from fediverse.profiles import ProfileChange
from web.mastodon.directory import staff_change
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import accounts_json, relationship_json, statuses_json
from web.mastodon.serializers.accounts import (
    serialize_credential_account,
    serialize_relationship,
)


async def _credential_json(call: Call) -> Response:
    row = await directory.account_by_id(call.store, call.account_id)
    prefs, waiting = await profiles.own_profile(call.runtime, call.account_id)
    assert call.viewer is not None
    prefs = {"default_local_only": call.settings.local_only_default, **prefs}
    return json(
        serialize_credential_account(
            row, call.settings.base_url, role=call.viewer.role, preferences=prefs, requests=waiting
        )
    )


@api("read:accounts|profile")
async def verify_credentials(call: Call) -> Response:
    return await _credential_json(call)


async def _upload_bytes(call: Call, name: str) -> bytes | None:
    upload = call.params.file(name)
    return await upload.read() if upload is not None else None


def _fields(call: Call) -> list[tuple[str, str]] | None:
    if not call.params.has("fields_attributes"):
        return None
    attributes = call.params.sub("fields_attributes")
    result = []
    for key in sorted(attributes.data, key=lambda k: (len(k), k)):
        item = attributes.sub(key)
        result.append(
            (item.text("name", "", max_length=255), item.text("value", "", max_length=255))
        )
    return result


@api("write:accounts")
async def update_credentials(call: Call) -> Response:
    p, source = call.params, call.params.sub("source")
    change = ProfileChange(
        display_name=p.text("display_name", max_length=200),
        note=p.text("note", max_length=2000),
        avatar=await _upload_bytes(call, "avatar"),
        header=await _upload_bytes(call, "header"),
        locked=p.flag("locked"),
        bot=p.flag("bot"),
        discoverable=p.flag("discoverable"),
        fields=_fields(call),
        privacy=source.text("privacy"),
        sensitive=source.flag("sensitive"),
        language=source.text("language"),
        local_only=source.flag("local_only"),
    )
    staff = staff_change(call.params.sub("kollegium"))
    # Both checked before either is written, so that a refused request changes nothing.
    profiles.check_change(change)
    await staff_profiles.check_department_exists(call.store, staff.department_id)
    await staff_profiles.update_staff_profile(call.store, call.account_id, staff)
    await profiles.update_profile(call.runtime, call.account_id, change)
    return await _credential_json(call)


@api("read:accounts", access="optional")
async def show_account(call: Call) -> Response:
    row = await directory.profile_by_id(call.store, call.path_id())
    return json(accounts_json(call, [row])[0])


@api("read:accounts", access="optional")
async def many_accounts(call: Call) -> Response:
    ids = call.params.id_list("id", max_items=40)
    found = await directory.profiles_by_id(call.store, ids)
    return json(accounts_json(call, [found[i] for i in ids if i in found]))


@api("read:accounts", access="optional")
async def lookup(call: Call) -> Response:
    acct = call.params.required_str("acct")
    row = await directory.lookup_profile(call.store, acct, call.settings.domain)
    return json(accounts_json(call, [row])[0])


@api("read:statuses", access="optional")
async def account_statuses(call: Call) -> Response:
    p = call.params
    page = page_query(call)
    rows = await timelines.account_statuses(
        call.store,
        call.viewer_account_id,
        call.path_id(),
        page,
        timelines.AccountFilter(
            pinned=bool(p.flag("pinned", False)),
            exclude_replies=bool(p.flag("exclude_replies", False)),
            exclude_reblogs=bool(p.flag("exclude_reblogs", False)),
            only_media=bool(p.flag("only_media", False)),
            tagged=p.text("tagged"),
        ),
    )
    entities = await statuses_json(call, rows, "account")
    return json(entities, headers=link_header(call, [r["id"] for r in rows]))


async def _account_list(call: Call, listing: object, account_id: int) -> Response:
    page = page_query(call, default=40, maximum=80)
    rows, keys = await listing(call.store, account_id, page)  # type: ignore[operator]
    return json(accounts_json(call, rows), headers=link_header(call, keys))


@api("read:accounts", access="optional")
async def followers(call: Call) -> Response:
    return await _account_list(call, directory.followers, call.path_id())


@api("read:accounts", access="optional")
async def following(call: Call) -> Response:
    return await _account_list(call, directory.following, call.path_id())


@api("write:follows")
async def follow(call: Call) -> Response:
    target = call.path_id()
    await relationships.follow(
        call.store,
        call.account_id,
        target,
        reblogs=bool(call.params.flag("reblogs", True)),
        notify_posts=bool(call.params.flag("notify", False)),
    )
    return await relationship_json(call, target)


@api("write:follows")
async def unfollow(call: Call) -> Response:
    await relationships.unfollow(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())


@api("write:follows")
async def remove_from_followers(call: Call) -> Response:
    await relationships.remove_from_followers(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())


@api("write:blocks")
async def block(call: Call) -> Response:
    await relationships.block(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())


@api("write:blocks")
async def unblock(call: Call) -> Response:
    await relationships.unblock(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())


@api("write:mutes")
async def mute(call: Call) -> Response:
    await relationships.mute(
        call.store,
        call.account_id,
        call.path_id(),
        notifications=bool(call.params.flag("notifications", True)),
        duration_s=call.params.integer("duration", 0),
    )
    return await relationship_json(call, call.path_id())


@api("write:mutes")
async def unmute(call: Call) -> Response:
    await relationships.unmute(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())


@api("write:accounts")
async def note(call: Call) -> Response:
    comment = call.params.text("comment", "", max_length=2000)
    await relationships.set_note(call.store, call.account_id, call.path_id(), comment)
    return await relationship_json(call, call.path_id())


@api("read:follows")
async def relationships_of(call: Call) -> Response:
    ids = call.params.id_list("id", max_items=80)
    found = await relationships.relationships(call.store, call.account_id, list(dict.fromkeys(ids)))
    return json([serialize_relationship(r) for r in found])


@api("read:follows")
async def familiar_followers(call: Call) -> Response:
    ids: list[int] = list(dict.fromkeys(call.params.id_list("id", max_items=40)))
    found = await directory.familiar_followers(call.store, call.account_id, ids)
    return json([{"id": str(i), "accounts": accounts_json(call, found[i])} for i in ids])


@api("read:accounts")
async def search(call: Call) -> Response:
    p = call.params
    limit = p.integer("limit", 40)
    offset = p.integer("offset", 0)
    if offset < 0:
        raise ValidationError("offset must be 0 or more")
    rows = await directory.search(
        call.store,
        call.account_id,
        p.required_str("q", max_length=200),
        limit=max(1, min(limit, 80)),
        offset=offset,
        following=bool(p.flag("following", False)),
    )
    return json(accounts_json(call, rows))


@api("read:follows")
async def follow_requests(call: Call) -> Response:
    return await _account_list(call, directory.incoming_requests, call.account_id)


@api("write:follows")
async def authorize_request(call: Call) -> Response:
    await relationships.authorize_request(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())


@api("write:follows")
async def reject_request(call: Call) -> Response:
    await relationships.reject_request(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())


@api("read:mutes")
async def mutes(call: Call) -> Response:
    return await _account_list(call, directory.muted, call.account_id)


@api("read:blocks")
async def blocks(call: Call) -> Response:
    return await _account_list(call, directory.blocked, call.account_id)
