"""toot, the command-line client, driven as a subprocess against a real server.

toot keeps an instance URL given with ``http://`` as it is and only adds ``https://`` to a
bare domain, so the test passes the full ``http://127.0.0.1:PORT`` and needs no changes to
the machine. Its configuration lives in ``XDG_CONFIG_HOME``, a temporary directory here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.conftest import PASSWORD, Server

TOOT = str(Path(sys.executable).with_name("toot"))


def toot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLLEGIUM_")}
    env |= {"XDG_CONFIG_HOME": str(config), "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        [TOOT, "--no-color", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def config(sqlite_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("toot")
    for login in ("bosse@kommun-a.se", "anna@kommun-a.se"):
        toot(home, "login_cli", "-i", sqlite_server.base_url, "-e", login, "-p", PASSWORD)
    return home


def test_login_cli_saves_the_account(config: Path, sqlite_server: Server) -> None:
    saved = json.loads((config / "toot" / "config.json").read_text())
    host = sqlite_server.base_url.removeprefix("http://")
    assert set(saved["users"]) == {f"anna@{host}", f"bosse@{host}"}
    assert saved["apps"][host]["base_url"] == sqlite_server.base_url


def test_whoami(config: Path) -> None:
    assert "@anna" in toot(config, "whoami").stdout


def test_post_follow_and_home_timeline(config: Path, sqlite_server: Server) -> None:
    host = sqlite_server.base_url.removeprefix("http://")
    posted = toot(config, "--as", f"bosse@{host}", "post", "Hej från toot #cli")
    assert "Toot posted" in posted.stdout
    followed = toot(config, "follow", "bosse")
    assert "now following" in followed.stdout.lower()
    home = toot(config, "timelines", "home", "--no-pager", "--no-clear")
    assert "Hej från toot" in home.stdout
    assert "bosse" in home.stdout
