"""A local account's suspension reaches the servers that know it: two instances as real
processes on 127.0.0.1 and .2, everything seen through each one's Mastodon API.

A's admin suspends anna, whom bosse on B follows; B shows her as suspended (her profile
blank), hides her posts, keeps the follow, and shows her again when A lifts the
suspension. A's admin suspends berit of B,
who follows aina on A: A rejects the follow, and B no longer has it.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from tests.e2e import test_municipal_policy as policy
from tests.e2e.test_municipal_policy import SCOPES, home_uris, post, resolve
from tests.e2e.test_three_instances import PASSWORD, Instance, relationship, start_all
from tests.support.processes import eventually, loopback, password_tokens

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Instance]]:
    """Two blocklist instances, prepared and started side by side, each member signed in."""
    root = tmp_path_factory.mktemp("suspension")
    members = {
        "127.0.0.1": {"anna": "user", "adam": "admin", "aina": "user"},
        "127.0.0.2": {"bosse": "user", "berit": "user"},
    }
    with ThreadPoolExecutor(max_workers=2) as pool:  # each is a handful of CLI runs
        a, b = pool.map(
            lambda host: policy.make_instance(root, host, members[host], mode="blocklist"), members
        )
    with ExitStack() as stack:
        start_all(stack, a, b)
        for instance in (a, b):
            instance.tokens.update(
                password_tokens(instance.base_url, instance.members, PASSWORD, SCOPES)
            )
        yield {"a": a, "b": b}


def suspended_on(instance: Instance, member: str, account_id: str) -> bool:
    """Whether ``member`` sees the account as suspended (and blank), as Mastodon shows it."""
    headers = {"Authorization": f"Bearer {instance.tokens[member]}"}
    url = f"{instance.base_url}/api/v1/accounts/{account_id}"
    response = loopback().get(url, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    entity = response.json()
    if entity.get("suspended") is not True:
        return False
    assert entity["display_name"] == "" and entity["note"] == "" and entity["fields"] == []
    return True


def follow_across(instance: Instance, member: str, acct: str) -> str:
    """``member`` of ``instance`` follows ``acct`` of another instance; its id here."""
    found = resolve(instance, member, acct)
    assert found is not None
    instance.api(member, "POST", f"/api/v1/accounts/{found}/follow")
    eventually(lambda: relationship(instance, member, found)["following"], f"{member} follows")
    return found


def test_suspending_a_followed_account_hides_it_on_the_other_instance_until_lifted(
    world: dict[str, Instance],
) -> None:
    a, b = world["a"], world["b"]
    anna_on_b = follow_across(b, "bosse", f"anna@{a.domain}")
    uri = post(a, "anna", "Hej från kommun A", local_only="false")["uri"]
    eventually(lambda: uri in home_uris(b, "bosse"), "anna's post on B")

    anna = a.api("adam", "GET", "/api/v1/accounts/lookup", params={"acct": "anna"})["id"]
    a.api("adam", "POST", f"/api/v1/admin/accounts/{anna}/action", data={"type": "suspend"})
    eventually(lambda: suspended_on(b, "bosse", anna_on_b), "anna shown suspended on B")
    assert uri not in home_uris(b, "bosse")
    assert b.api("bosse", "GET", f"/api/v1/accounts/{anna_on_b}/statuses") == []
    assert relationship(b, "bosse", anna_on_b)["following"] is True  # kept, as Mastodon does

    a.api("adam", "POST", f"/api/v1/admin/accounts/{anna}/unsuspend")
    eventually(lambda: not suspended_on(b, "bosse", anna_on_b), "anna back on B")
    assert uri in home_uris(b, "bosse")
    shown = b.api("bosse", "GET", f"/api/v1/accounts/{anna_on_b}")
    assert shown["username"] == "anna"


def test_suspending_a_remote_follower_rejects_its_follow_on_its_own_instance(
    world: dict[str, Instance],
) -> None:
    a, b = world["a"], world["b"]
    aina_on_b = follow_across(b, "berit", f"aina@{a.domain}")

    berit_on_a = resolve(a, "adam", f"berit@{b.domain}")
    assert berit_on_a is not None
    a.api("adam", "POST", f"/api/v1/admin/accounts/{berit_on_a}/action", data={"type": "suspend"})
    eventually(lambda: not relationship(b, "berit", aina_on_b)["following"], "the follow gone on B")
    assert relationship(b, "berit", aina_on_b)["requested"] is False
    aina = a.api("adam", "GET", "/api/v1/accounts/lookup", params={"acct": "aina"})
    assert aina["followers_count"] == 0


def test_suspending_an_account_tells_the_servers_its_recent_posts_mentioned(
    world: dict[str, Instance],
) -> None:
    """Nobody on B follows aina (berit's follow was rejected above), but she mentioned
    bosse: her suspension reaches B all the same, as Mastodon's AccountReachFinder's does."""
    a, b = world["a"], world["b"]
    assert resolve(a, "aina", f"bosse@{b.domain}") is not None
    post(a, "aina", f"Hej @bosse@{b.domain}", local_only="false")

    def aina_on_b() -> str | None:
        found = b.api("bosse", "GET", "/api/v1/notifications", params={"types[]": "mention"})
        return next((n["account"]["id"] for n in found if n["account"]["username"] == "aina"), None)

    eventually(lambda: aina_on_b() is not None, "aina's mention on B")
    aina_id = aina_on_b()
    assert aina_id is not None and not suspended_on(b, "bosse", aina_id)
    aina = a.api("adam", "GET", "/api/v1/accounts/lookup", params={"acct": "aina"})["id"]
    a.api("adam", "POST", f"/api/v1/admin/accounts/{aina}/action", data={"type": "suspend"})
    eventually(lambda: suspended_on(b, "bosse", aina_id), "aina shown suspended on B")
