#!/bin/sh
# Extract the web app's messages and merge them into the catalogues; run from anywhere.
# Translate new entries in web/locale/sv/LC_MESSAGES/messages.po (English needs none: the
# message ids are English). The server reads the .po files directly; nothing to compile.
set -eu
cd "$(dirname "$0")/../.."
pybabel=".venv/bin/pybabel"
"$pybabel" extract -F web/locale/babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ \
    --no-location --sort-output --project Kollegium --copyright-holder Kollegium \
    -o web/locale/messages.pot . >/dev/null
for locale in sv en; do
    po="web/locale/$locale/LC_MESSAGES/messages.po"
    if [ -f "$po" ]; then
        "$pybabel" update --no-fuzzy-matching -i web/locale/messages.pot -d web/locale -l "$locale"
    else
        "$pybabel" init -i web/locale/messages.pot -d web/locale -l "$locale"
    fi
done
