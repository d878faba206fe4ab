#!/usr/bin/env bash
# Fails when the build does not succeed from a clean tree, or when committed generated
# files differ from what their generators produce now.
set -euo pipefail

npm run build --silent

# Generated sources committed to the repository: regenerate and compare.
if [ -f buf.gen.yaml ]; then
  npx buf generate
fi
if ! git diff --exit-code --stat -- src/grpc/gen 2>/dev/null; then
  echo "check-generated: src/grpc/gen is stale; run 'npx buf generate' and commit" >&2
  exit 1
fi
npx publint --strict
echo "check-generated: build and generated code are current"
