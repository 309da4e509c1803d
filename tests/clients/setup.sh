#!/bin/sh
# The masto.js WebSocket test needs the npm packages of package-lock.json; fast when installed.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -f "$here/node_modules/masto/package.json" ] || [ ! -f "$here/node_modules/ws/package.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
