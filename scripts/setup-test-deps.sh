#!/usr/bin/env bash
# Installs the system packages tapewatch's test suite needs. Idempotent: packages already
# present are skipped, so running it twice costs one dpkg query.
#
# What needs what:
#   python3-grpcio python3-protobuf   the Python gRPC client test (run with /usr/bin/python3)
#   protobuf-compiler protobuf-compiler-grpc   Python stubs for it (protoc + grpc_python_plugin)
#   python3-sklearn                    the Isolation Forest parity reference (run with /usr/bin/python3)
#   chromium                           the viewer's browser tests (playwright-core, no browser download)
#   libquickfix-dev g++ make           the FIX acceptor's test peer: a QuickFIX/C++ initiator built here
set -euo pipefail

PACKAGES=(python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc python3-sklearn chromium libquickfix-dev g++ make)

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
