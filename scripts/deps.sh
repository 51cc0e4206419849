#!/usr/bin/env bash
# Install the Debian packages Gazette needs to build, run and test, when missing.
# Used by `make run` (build packages) and `make test` (--test: test tools too, then the npm
# packages). Needs root (or passwordless sudo) only to install Debian packages.
set -euo pipefail
quiet=0
for a in "$@"; do
    case "$a" in
        --quiet) quiet=1 ;;
        --test) GAZETTE_TEST_DEPS=1 ;;
        *) echo "usage: scripts/deps.sh [--quiet] [--test]" >&2; exit 2 ;;
    esac
done
pkgs=(build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev
      libqrencode-dev libsndfile1-dev libsamplerate0-dev libfftw3-dev libespeak-ng-dev espeak-ng-data
      libcurl4-openssl-dev libmd4c-dev check libsubunit-dev libbrotli-dev zlib1g-dev
      libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us libvips-dev libpq-dev)
test_pkgs=(chromium fonts-wqy-microhei nodejs npm nginx-light wrk sox libsox-fmt-all espeak-ng flac python3-numpy time
           pocketsphinx-testdata postgresql postgresql-client default-jre-headless sqlite3)
missing=()
for p in "${pkgs[@]}" ${GAZETTE_TEST_DEPS:+"${test_pkgs[@]}"}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from elsewhere than Debian: only ask for them when absent.
if [ ${#missing[@]} -gt 0 ]; then
    filtered=()
    for p in "${missing[@]}"; do
        case "$p" in
            nodejs) command -v node >/dev/null || filtered+=("$p") ;;
            npm) command -v npm >/dev/null || filtered+=("$p") ;;
            *) filtered+=("$p") ;;
        esac
    done
    missing=(${filtered[@]+"${filtered[@]}"})
fi
if [ ${#missing[@]} -eq 0 ]; then
    [ $quiet = 1 ] || echo "deps: all Debian packages present"
else
    echo "deps: installing ${missing[*]}"
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
            echo "deps: not root; please install: ${missing[*]}" >&2; exit 1; fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The tests' npm packages (playwright-core, axe-core): `npm ci` when node_modules is missing or
# stale. Stale means package-lock.json is newer than the last install and the installed
# versions no longer match package.json (which pins exact versions); `npm ls` checks that
# offline, so a fresh checkout next to a good node_modules does not reinstall.
if [ -n "${GAZETTE_TEST_DEPS:-}" ]; then
    if [ ! -d node_modules ] || { [ package-lock.json -nt node_modules/.package-lock.json ] &&
                                  ! npm ls --depth=0 >/dev/null 2>&1; }; then
        echo "deps: npm ci"
        npm ci --no-audit --no-fund
    fi
fi
