#!/usr/bin/env bash
# Install the Debian packages Gazette needs to build, run and test, when missing.
# Used by `make run` and .ci/run. Needs root (or passwordless sudo) only to install.
set -euo pipefail
quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1
pkgs=(build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev
      libqrencode-dev libsndfile1-dev libsamplerate0-dev libfftw3-dev libespeak-ng-dev espeak-ng-data
      libcurl4-openssl-dev libmd4c-dev check libsubunit-dev libpocketsphinx-dev pocketsphinx-en-us)
test_pkgs=(chromium fonts-wqy-microhei nodejs npm nginx-light wrk sox libsox-fmt-all espeak-ng flac python3-numpy pocketsphinx-testdata)
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
    exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
        echo "deps: not root; please install: ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
