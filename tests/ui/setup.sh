#!/bin/sh
# The browser tests need Debian's Chromium and the axe-core npm package; fast when both are there.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x /usr/bin/chromium ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends chromium \
        || { apt-get update && apt-get install -y --no-install-recommends chromium; }
fi
if [ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
