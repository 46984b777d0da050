#!/usr/bin/env bash
# Sets up a fresh Debian machine for shadow-ts: system packages the examples and tests run,
# then the npm workspaces (which build the native addon and the TypeScript). With --system-only,
# the system packages alone (scripts/ci-cpu-limited.sh lays out node_modules itself).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ make python3 gcc curl busybox-static coreutils iproute2)
# Real servers and the pcap reader used by test/e2e/net-model.test.ts.
packages+=(iperf3 nginx-light tshark)
# Stock workloads of test/e2e/workloads.test.ts: sshd and ssh, redis and its benchmark, etcd, Go.
packages+=(openssh-server openssh-client redis-server redis-tools etcd-server etcd-client golang-go)
# A private Tor network (examples/tor-network, test/e2e/tor.test.ts): tor and tor-gencert.
packages+=(tor)
# Rust test programs (std::process::Command): rustup's rustc if present, else Debian's.
if ! command -v rustc >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/rustc" ]; then packages+=(rustc); fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # tshark's postinst asks whether non-root users may capture: answer no, without asking.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ "${1:-}" = --system-only ] || npm ci --no-audit --no-fund
