#!/usr/bin/env bash
# Installs the browsers the tests run in (Debian's Chromium and Firefox ESR), if missing.
# Idempotent and quiet when both are present. Never downloads browser builds from elsewhere.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-browsers: missing ${missing[*]}; installing chromium firefox-esr from Debian" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-browsers: not root and no sudo. Run as root:" >&2
  echo "  apt-get update && apt-get install -y chromium firefox-esr" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium firefox-esr >/dev/null
for bin in /usr/bin/chromium /usr/bin/firefox-esr; do
  [ -x "$bin" ] || { echo "install-browsers: $bin still missing after apt-get install" >&2; exit 1; }
done
echo "install-browsers: done" >&2
