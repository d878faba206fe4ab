#!/usr/bin/env bash
# Installs the system packages tapewatch's test suite needs. Idempotent: packages already
# present are skipped, so running it twice costs one dpkg query.
#
# Today the suite needs nothing beyond Node.js. Issues that add tests against external
# peers (chromium, python3-grpcio, libquickfix-dev, ...) list their packages here.
set -euo pipefail

PACKAGES=()

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-test-deps: nothing to install"
  exit 0
fi

echo "setup-test-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
