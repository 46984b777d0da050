#!/usr/bin/env bash
# Sets up a fresh Debian machine for shadow-ts: system packages the examples and tests run,
# then the npm workspaces (which build the native addon and the TypeScript).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ make python3 gcc busybox-static coreutils)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
