"""Discovery: WebFinger, host-meta and NodeInfo."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from activitypub.errors import WebFingerError
from activitypub.nodeinfo import Usage, build_nodeinfo, build_nodeinfo_links
from activitypub.webfinger import Acct, build_host_meta, build_jrd, parse_resource
from fediverse import __version__
from fediverse.errors import BadRequestError, NotFoundError
from fediverse.groups import group_on
from fediverse.remote import account_by_uri, local_account_by_username
from fediverse.storage.tables import statuses, users
from web.activitypub.common import federation_of
from web.activitypub.groups import served_group

JRD = "application/jrd+json; charset=utf-8"


async def webfinger(request: Request) -> Response:
    fed = federation_of(request)
    resource = request.query_params.get("resource", "").strip()
    if not resource:
        raise BadRequestError("resource is required")
    if resource.removeprefix("acct:") == f"{fed.domain}@{fed.domain}":
        username = fed.domain  # the instance actor is named after the domain
    else:
        username = _username(resource, fed.domain, fed.base_url)
    async with fed.runtime.store.read() as conn:
        account = await local_account_by_username(conn, username)
        if account is None and resource.startswith("http"):
            account = await account_by_uri(conn, resource)
        if account is not None and await group_on(conn, account.id) is not None:
            await served_group(conn, account.id)  # an internal group is no one's business
    # A suspended account is still found, as Mastodon finds one whose suspension can be
    # lifted: its actor document tells other servers it is suspended.
    if account is None or not account.is_local:
        raise NotFoundError("no such account here")
    acct = Acct(account.username, fed.domain)
    profile = f"{fed.base_url}/@{account.username}"
    jrd = build_jrd(acct, account.uri, profile, f"{fed.base_url}/authorize_interaction")
    return JSONResponse(jrd, media_type=JRD, headers={"Access-Control-Allow-Origin": "*"})


def _username(resource: str, domain: str, base_url: str) -> str:
    try:
        parsed = parse_resource(resource)
    except WebFingerError as exc:
        raise BadRequestError(exc.message) from exc
    if isinstance(parsed, str):
        if not parsed.startswith(f"{base_url}/"):
            raise NotFoundError("no such account here")
        return parsed.rstrip("/").rsplit("/", 1)[-1].removeprefix("@")
    if parsed.domain != domain:
        raise NotFoundError("no such account here")
    return parsed.username


async def host_meta(request: Request) -> Response:
    base_url = federation_of(request).base_url
    return Response(build_host_meta(base_url), media_type="application/xrd+xml; charset=utf-8")


async def nodeinfo_links(request: Request) -> Response:
    return JSONResponse(build_nodeinfo_links(federation_of(request).base_url))


async def nodeinfo(request: Request) -> Response:
    fed = federation_of(request)
    version = request.path_params["version"]
    if version not in ("2.0", "2.1"):
        raise NotFoundError("no such NodeInfo version")
    async with fed.runtime.store.read() as conn:
        user_count = await conn.fetch_val(select(func.count()).select_from(users))
        post_count = await conn.fetch_val(
            select(func.count()).select_from(statuses).where(statuses.c.local.is_(True))
        )
    document = build_nodeinfo(
        version,
        software_name="kollegium",
        software_version=__version__,
        open_registrations=False,
        usage=Usage(users_total=int(user_count), local_posts=int(post_count)),
        metadata={"nodeName": fed.domain},
    )
    profile = f"http://nodeinfo.diaspora.software/ns/schema/{version}#"
    return JSONResponse(document, media_type=f'application/json; profile="{profile}"')
