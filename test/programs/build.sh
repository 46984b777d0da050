#!/usr/bin/env bash
# Compiles the C test programs (and the Rust ones, when rustc is available) into
# test/programs/bin, and the conformance programs of test/conformance into
# test/programs/bin/conformance (skips those already up to date).
set -euo pipefail
# -P: the physical directory, so that ../conformance is found when a test tree links here.
cd -P "$(dirname "$0")"
mkdir -p bin bin/conformance
# Files named *-static.c are linked statically (libc.a from libc6-dev).
for src in *.c; do
  out="bin/${src%.c}"
  static=()
  [[ "$src" == *-static.c ]] && static=(-static)
  if [ ! -e "$out" ] || [ "$src" -nt "$out" ]; then
    gcc -O1 -Wall -Wextra "${static[@]}" -o "$out" "$src"
  fi
done

# Conformance programs (test/conformance/*.c, sharing conf.h): one per syscall topic.
for src in ../conformance/*.c; do
  out="bin/conformance/$(basename "${src%.c}")"
  if [ ! -e "$out" ] || [ "$src" -nt "$out" ] || [ ../conformance/conf.h -nt "$out" ]; then
    gcc -O1 -Wall -Wextra -o "$out" "$src"
  fi
done

# Rust programs: rustc from PATH, else rustup's default place; without either they are skipped
# (their tests skip themselves when the binary is missing).
rustc="$(command -v rustc || true)"
if [ -z "$rustc" ] && [ -x "$HOME/.cargo/bin/rustc" ]; then rustc="$HOME/.cargo/bin/rustc"; fi
shopt -s nullglob
rust_sources=(*.rs)
if [ ${#rust_sources[@]} -gt 0 ]; then
  if [ -z "$rustc" ]; then
    echo "build.sh: rustc not found; skipping ${rust_sources[*]}" >&2
  else
    for src in "${rust_sources[@]}"; do
      out="bin/${src%.rs}"
      if [ ! -e "$out" ] || [ "$src" -nt "$out" ]; then
        "$rustc" -O --edition 2021 -o "$out" "$src"
      fi
    done
  fi
fi
