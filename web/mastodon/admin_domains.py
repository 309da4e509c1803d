"""Mastodon's admin API for federation: ``/api/v1/admin/domain_allows`` and
``/api/v1/admin/domain_blocks``, and (ours) ``/api/v1/admin/federation_mode``. Admins only.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from fediverse import directory, instances, instances_admin
from fediverse.errors import ForbiddenError
from fediverse.instances import DomainPolicy
from fediverse.instances_admin import BlockChange, DomainBlockExistsError
from fediverse.paging import PageQuery
from web.mastodon.endpoint import Call, api, json, route
from web.mastodon.pagination import link_header, page_query
from web.mastodon.serializers.common import iso_time

ALLOWS = "/api/v1/admin/domain_allows"
BLOCKS = "/api/v1/admin/domain_blocks"
MODE = "/api/v1/admin/federation_mode"


def _require_admin(call: Call) -> None:
    if call.viewer is None or call.viewer.role != "admin":
        raise ForbiddenError("This action is not allowed")


async def _actor(call: Call) -> str:
    """The admin, by handle, as the audit log names them."""
    _require_admin(call)
    row = await directory.account_by_id(call.store, call.account_id)
    return str(row["username"])


def serialize_domain_allow(policy: DomainPolicy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "domain": policy.domain,
        "created_at": iso_time(policy.changed_at),
    }


def serialize_domain_block(policy: DomainPolicy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "domain": policy.domain,
        "digest": hashlib.sha256(policy.domain.encode()).hexdigest(),
        "created_at": iso_time(policy.changed_at),
        "severity": instances_admin.severity(policy),
        "reject_media": policy.reject_media,
        "reject_reports": False,
        "private_comment": policy.private_comment or None,
        "public_comment": policy.public_comment or None,
        "obfuscate": False,
    }


def _paged(call: Call, policies: list[DomainPolicy], entity: Any) -> Response:
    """A page of ``policies`` by id, newest first, with its ``Link`` header: Mastodon pages
    these lists by 100, at most 200. They are short (one row per decided domain), so the
    page is cut from the whole list."""
    page = page_query(call, default=100, maximum=200)
    found = _cut(sorted(policies, key=lambda p: int(p.id), reverse=True), page)
    return json([entity(p) for p in found], headers=link_header(call, [int(p.id) for p in found]))


def _cut(newest_first: list[DomainPolicy], page: PageQuery) -> list[DomainPolicy]:
    lower = max(page.since_id or 0, page.min_id or 0)
    upper = page.max_id
    kept = [p for p in newest_first if lower < int(p.id) and (upper is None or int(p.id) < upper)]
    if page.min_id is not None:  # those just above min_id, as a keyset page reads them
        return kept[-page.limit :]
    return kept[: page.limit]


def _path_id(call: Call) -> str:
    return str(call.request.path_params["id"])


@api("admin:read:domain_allows")
async def allows_index(call: Call) -> Response:
    _require_admin(call)
    found = await instances_admin.domain_allows(call.store)
    return _paged(call, found, serialize_domain_allow)


@api("admin:read:domain_allows")
async def allows_show(call: Call) -> Response:
    _require_admin(call)
    return json(
        serialize_domain_allow(await instances_admin.domain_allow(call.store, _path_id(call)))
    )


@api("admin:write:domain_allows")
async def allows_create(call: Call) -> Response:
    actor = await _actor(call)
    domain = call.params.required_str("domain", max_length=255)
    found = await instances_admin.allow_domain(call.store, domain, actor=actor)
    return json(serialize_domain_allow(found))


@api("admin:write:domain_allows")
async def allows_delete(call: Call) -> Response:
    actor = await _actor(call)
    await instances_admin.remove_allow(call.store, _path_id(call), actor=actor)
    return json({})


@api("admin:read:domain_blocks")
async def blocks_index(call: Call) -> Response:
    _require_admin(call)
    found = await instances_admin.domain_blocks(call.store)
    return _paged(call, found, serialize_domain_block)


@api("admin:read:domain_blocks")
async def blocks_show(call: Call) -> Response:
    _require_admin(call)
    return json(
        serialize_domain_block(await instances_admin.domain_block(call.store, _path_id(call)))
    )


def _block_change(call: Call) -> BlockChange:
    p = call.params
    return BlockChange(
        severity=p.text("severity"),
        reject_media=p.flag("reject_media"),
        public_comment=p.text("public_comment", max_length=instances.MAX_COMMENT),
        private_comment=p.text("private_comment", max_length=instances.MAX_COMMENT),
    )


@api("admin:write:domain_blocks")
async def blocks_create(call: Call) -> Response:
    actor = await _actor(call)
    domain = call.params.required_str("domain", max_length=255)
    change = _block_change(call)
    try:
        found = await instances_admin.block_domain(call.store, domain, change, actor=actor)
    except DomainBlockExistsError as exc:
        existing = serialize_domain_block(exc.existing)
        return json({"error": exc.message, "existing_domain_block": existing}, exc.status)
    return json(serialize_domain_block(found))


@api("admin:write:domain_blocks")
async def blocks_update(call: Call) -> Response:
    actor = await _actor(call)
    found = await instances_admin.update_block(
        call.store, _path_id(call), _block_change(call), actor=actor
    )
    return json(serialize_domain_block(found))


@api("admin:write:domain_blocks")
async def blocks_delete(call: Call) -> Response:
    actor = await _actor(call)
    await instances_admin.remove_block(call.store, _path_id(call), actor=actor)
    return json({})


@api("admin:read:domain_allows|admin:read:domain_blocks")
async def mode_show(call: Call) -> Response:
    _require_admin(call)
    mode = await instances.federation_mode(call.store, call.settings.federation_mode)
    return json({"mode": mode})


@api("admin:write:domain_allows")
async def mode_update(call: Call) -> Response:
    actor = await _actor(call)
    mode = call.params.required_str("mode", max_length=20)
    await instances.set_federation_mode(call.store, mode, actor=actor)
    return json({"mode": mode})


def admin_domain_routes() -> list[BaseRoute]:
    return [
        *route(ALLOWS, GET=allows_index, POST=allows_create),
        *route(ALLOWS + "/{id}", GET=allows_show, DELETE=allows_delete),
        *route(BLOCKS, GET=blocks_index, POST=blocks_create),
        *route(BLOCKS + "/{id}", GET=blocks_show, PUT=blocks_update, DELETE=blocks_delete),
        *route(MODE, GET=mode_show, PUT=mode_update, POST=mode_update),
    ]
