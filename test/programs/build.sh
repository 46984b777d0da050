#!/usr/bin/env bash
# Compiles the C test programs into test/programs/bin (skips those already up to date).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p bin
for src in *.c; do
  out="bin/${src%.c}"
  if [ ! -e "$out" ] || [ "$src" -nt "$out" ]; then
    gcc -O1 -Wall -Wextra -o "$out" "$src"
  fi
done
