#!/usr/bin/env bash
# `make e2e`: install what the end-to-end run needs when it is missing, then run only the
# tests marked e2e. Every step is bounded; the Makefile bounds the whole (10 minutes).
#   - Debian's chromium (apt-get; never `playwright install`, which downloads a browser)
#     and fonts-noto-color-emoji (the cards' ✅/❌ glyphs in the screenshots)
#   - Playwright for Python 1.65.2 (the e2e extra of pyproject.toml)
#   - the pinned Agents Playground from npm (package-lock.json), into tests/e2e/node_modules
# Extra arguments go to pytest, e.g. `tests/e2e/run.sh -k french`.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.venv/bin}

APT_PACKAGES=()
command -v chromium >/dev/null 2>&1 || APT_PACKAGES+=(chromium)
# Without a colour emoji font the verdict card's "✅"/"❌" show as empty boxes in the
# screenshots (Teams itself has the glyphs): the screenshots must look like Teams.
FONTS=$(fc-list : family 2>/dev/null || true)  # no pipe into grep -q: pipefail + SIGPIPE
grep -qi "Noto Color Emoji" <<<"$FONTS" || APT_PACKAGES+=(fonts-noto-color-emoji)
if [ ${#APT_PACKAGES[@]} -gt 0 ]; then
    echo "e2e: installing Debian's ${APT_PACKAGES[*]}" >&2
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    timeout 120 $SUDO apt-get update -qq
    timeout 300 $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi

if ! "$BIN/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('playwright') != '1.65.2')" 2>/dev/null; then
    echo "e2e: installing the e2e extra (playwright)" >&2
    timeout 300 "$BIN/python" -m pip install --quiet --disable-pip-version-check -e '.[test,e2e]'
fi

(
    cd tests/e2e
    if ! [ node_modules/.stamp -nt package.json ] || ! [ node_modules/.stamp -nt package-lock.json ]; then
        echo "e2e: installing the Agents Playground (npm ci)" >&2
        timeout 180 npm ci --no-audit --no-fund --loglevel=error
        touch node_modules/.stamp
    fi
)

exec "$BIN/python" -m pytest tests/e2e -m e2e -p no:cacheprovider "$@"
