#!/usr/bin/env bash
# Installs the independent peers of tests/interop: the Fedify peer (npm, Node 20) and
# bovine-herd + fediverse-pasture in their own venv (they pin older Quart and aiosqlite
# than Kollegium). Idempotent; a second run with nothing changed takes well under a second.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null; then
  if [ "${CI:-}" = "true" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq nodejs npm >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
  else
    echo "tests/interop/setup.sh: npm not found, the Fedify interop tests will be skipped" >&2
  fi
fi
if command -v npm >/dev/null \
  && ! cmp -s fedify/package-lock.json fedify/node_modules/.interop-lock; then
  (cd fedify && npm ci --no-audit --no-fund --loglevel=error \
    && cp package-lock.json node_modules/.interop-lock)
fi

if ! cmp -s requirements.txt .venv/.interop-requirements; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  cp requirements.txt .venv/.interop-requirements
fi
