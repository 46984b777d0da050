#!/usr/bin/env bash
# Builds fast-time.c into fast-time/build/fast-time.json: the flat code image (base64) and the
# offset of each entry, which the tracer copies into managed processes (core/src/kernel/fast-time.ts).
# Not under native/build, which `node-gyp rebuild` wipes.
set -euo pipefail
cd "$(dirname "$0")"
out=build/fast-time
mkdir -p build
gcc -O2 -fPIC -ffreestanding -nostdlib -static -fno-stack-protector -fcf-protection=none \
  -fno-asynchronous-unwind-tables -fno-jump-tables -mgeneral-regs-only \
  -Wl,-Ttext=0 -Wl,-e,0 -Wl,--build-id=none -Wall -Wextra -o "$out.elf" fast-time.c
# Position-independent code only: nothing but .text may hold bytes it needs.
if objdump -h "$out.elf" | grep -qE '\.(rodata|data|bss)'; then echo "fast-time: data sections in $out.elf" >&2; exit 1; fi
objcopy -O binary -j .text "$out.elf" "$out.bin"
size=$(stat -c %s "$out.bin")
[ "$size" -le 3072 ] || { echo "fast-time: code is $size bytes, more than 3072" >&2; exit 1; }
entries=""
while read -r address _ symbol; do
  [[ "$symbol" == fast_* ]] || continue
  entries+="${entries:+, }\"${symbol#fast_}\": $((16#$address))"
done < <(nm "$out.elf")
printf '{ "code": "%s", "entries": { %s } }\n' "$(base64 -w0 "$out.bin")" "$entries" > "$out.json"
