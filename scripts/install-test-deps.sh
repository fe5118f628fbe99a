#!/usr/bin/env bash
# Installs what the tests run on, from Debian, if missing: the browsers (Chromium, Firefox ESR) and
# coturn (the TURN server the relay tests start on loopback). Idempotent and quiet when all are
# present. Never downloads builds from elsewhere.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
[ -x /usr/bin/turnserver ] || missing+=(coturn)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-test-deps: missing ${missing[*]}; installing them from Debian" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-test-deps: not root and no sudo. Run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for bin in /usr/bin/chromium /usr/bin/firefox-esr /usr/bin/turnserver; do
  [ -x "$bin" ] || { echo "install-test-deps: $bin still missing after apt-get install" >&2; exit 1; }
done
echo "install-test-deps: done" >&2
