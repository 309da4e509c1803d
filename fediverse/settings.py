"""The one settings object, built once from ``KOLLEGIUM_*`` variables and ``.env``."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from fediverse.errors import SettingsError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
PREFIX = "KOLLEGIUM_"
FEDERATION_MODES = ("allowlist", "blocklist", "closed")
LOG_LEVELS = ("debug", "info", "warning", "error")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DOMAIN = re.compile(
    r"^(?=.{1,253}(:|$))[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$"
)


def _setting(default: Any, doc: str, parse: str = "str") -> Any:
    return field(default=default, metadata={"doc": doc, "parse": parse})


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting Kollegium reads. Field names map to ``KOLLEGIUM_<NAME>`` upper-cased."""

    domain: str = _setting(None, "the instance's host name, as in ids and handles", "domain")
    secret_key: str = _setting(None, "secret for sessions and tokens, at least 32 chars", "secret")
    database_url: str = _setting("sqlite:///./data/kollegium.db", "database URL", "database")
    media_dir: Path = _setting(Path("./data/media"), "directory for uploaded media", "path")  # noqa: RUF009
    federation_mode: str = _setting("allowlist", "allowlist, blocklist or closed", "mode")
    local_only_default: bool = _setting(
        True, "new posts stay local unless the author or the post chooses otherwise", "bool"
    )
    redis_url: str | None = _setting(None, "optional Redis URL for streaming", "redis")
    password_grant: bool = _setting(True, "allow the OAuth password grant", "bool")
    dev_insecure: bool = _setting(False, "allow http ids and private addresses", "bool")
    log_level: str = _setting("info", "debug, info, warning or error", "level")
    max_request_bytes: int = _setting(41_943_040, "largest request body accepted", "size")
    metrics_token: str | None = _setting(None, "bearer token for /metrics off loopback", "token")
    private_networks: tuple[IPNetwork, ...] = _setting((), "CIDRs federation may reach", "cidrs")

    @property
    def scheme(self) -> str:
        """``http`` only in development; every production id is ``https``."""
        return "http" if self.dev_insecure else "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"


def env_name(name: str) -> str:
    return PREFIX + name.upper()


def setting_names() -> list[str]:
    """The environment variable of every setting, for documentation checks."""
    return [env_name(f.name) for f in fields(Settings)]


def load_settings(
    environ: Mapping[str, str], env_file: Path | None = Path(".env"), **overrides: Any
) -> Settings:
    """Build settings from ``environ`` over ``env_file``; raise SettingsError on a bad value."""
    merged: dict[str, str | None] = {}
    if env_file is not None and env_file.is_file():
        merged.update(dotenv_values(env_file))
    merged.update({k: v for k, v in environ.items() if k.startswith(PREFIX)})
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = merged.get(env_name(f.name))
        if raw is None:
            values[f.name] = f.default
            continue
        values[f.name] = _PARSERS[f.metadata["parse"]](env_name(f.name), raw.strip())
    values.update(overrides)
    return _check_required(Settings(**values))


def _check_required(settings: Settings) -> Settings:
    if settings.domain is None:
        raise SettingsError(f"{env_name('domain')} is required: the instance's host name")
    if settings.secret_key is None:
        raise SettingsError(f"{env_name('secret_key')} is required: at least 32 random characters")
    return settings


def _parse_domain(name: str, raw: str) -> str:
    value = raw.lower()
    if not _DOMAIN.match(value):
        raise SettingsError(f"{name} must be a host name like kommun-a.example (got {raw!r})")
    return value


def _parse_secret(name: str, raw: str) -> str:
    if len(raw) < 32:
        raise SettingsError(f"{name} must be at least 32 characters long (got {len(raw)})")
    return raw


def _parse_database(name: str, raw: str) -> str:
    if raw.startswith("sqlite:///") or raw.startswith(("postgresql://", "postgres://")):
        return raw.replace("postgres://", "postgresql://", 1)
    raise SettingsError(f"{name} must start with sqlite:/// or postgresql:// (got {raw!r})")


def _parse_choice(choices: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        if raw.lower() not in choices:
            raise SettingsError(f"{name} must be one of {', '.join(choices)} (got {raw!r})")
        return raw.lower()

    return parse


def _parse_redis(name: str, raw: str) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"{name} must start with redis:// or rediss:// (got {raw!r})")
    return raw


def _parse_bool(name: str, raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false (got {raw!r})")


def _parse_token(name: str, raw: str) -> str | None:
    if not raw:
        return None
    if len(raw) < 32:
        raise SettingsError(f"{name} must be at least 32 characters long (got {len(raw)})")
    return raw


def _parse_networks(name: str, raw: str) -> tuple[IPNetwork, ...]:
    networks = []
    for part in filter(None, (piece.strip() for piece in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(
                f"{name} must be comma-separated networks like 10.20.0.0/16 (got {part!r})"
            ) from None
    return tuple(networks)


def _parse_size(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1024:
        raise SettingsError(f"{name} must be a whole number of bytes, at least 1024 (got {raw!r})")
    return int(raw)


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "str": lambda _name, raw: raw,
    "domain": _parse_domain,
    "secret": _parse_secret,
    "database": _parse_database,
    "path": lambda _name, raw: Path(raw),
    "mode": _parse_choice(FEDERATION_MODES),
    "level": _parse_choice(LOG_LEVELS),
    "redis": _parse_redis,
    "bool": _parse_bool,
    "size": _parse_size,
    "token": _parse_token,
    "cidrs": _parse_networks,
}
