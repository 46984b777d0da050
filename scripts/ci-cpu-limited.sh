#!/usr/bin/env bash
# CI on a machine whose every process may use only a few seconds of CPU (RLIMIT_CPU inherited
# from pid 1, which nothing without CAP_SYS_RESOURCE can raise). `npm ci`, `tsc -b`, one mocha
# process for the whole suite and a g++ -O2 build of the addon are each killed there, so this
# does the same work in pieces small enough to live, and says what it could not do:
#   - node_modules from npm's cache, one tar per package (scripts/install-from-npm-cache.py);
#   - the addon with g++ -O0, no warnings (-Wall -Wextra alone cost 0.3 s a file) and no unwind
#     tables, one process per source file (tried three times: a file takes 0.5-0.9 s), otherwise
#     with binding.gyp's flags;
#   - TypeScript transpiled by esbuild, NOT type-checked (tsc needs more CPU than it gets here):
#     the packages into dist/ as tsc would, and the tests and the sources they import next to
#     their .ts files (this runs in a throwaway clone), since tsx's loader is killed on a cold cache;
#   - each test file in its own mocha process, and each test of a file in its own when the file
#     as a whole is killed;
#   - a test whose simulator or program the limit killed (test/cpu-limit.cjs marks it) is counted
#     as skipped and listed by name, never as passed. Every other failure fails the run.
# On a machine without such a limit .ci/run does the ordinary `npm ci` + `npm test` instead.
# Arguments, if any, are the test files to run (their .js names), in place of all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
limit=$(ulimit -Ht)
echo "=== CPU-LIMITED CI: every process here may use only ${limit} s of CPU (see /proc/1/limits)."
echo "=== This is NOT the full CI: no type-check, addon built -O0, tests the limit kills are skipped."

bash scripts/setup.sh --system-only || echo "=== installing the system packages failed here; the tests that need them will fail"

python3 scripts/install-from-npm-cache.py . || exit 1

addon_flags=(-std=c++17 -O0 -fPIC -fno-exceptions -fno-asynchronous-unwind-tables -DNAPI_VERSION=8 -DNODE_ADDON_API_DISABLE_CPP_EXCEPTIONS
  -DBUILDING_NODE_EXTENSION -I/usr/include/node -I"$(node -p "require('node-addon-api').include_dir")")
mkdir -p native/build/Release/obj
for src in native/src/*.cc; do
  for attempt in 1 2 3; do
    g++ "${addon_flags[@]}" -c "$src" -o "native/build/Release/obj/$(basename "$src" .cc).o" && continue 2
  done
  echo "=== the addon could not be compiled within the CPU limit ($src)"; exit 1
done
g++ -shared -o native/build/Release/shadow_native.node native/build/Release/obj/*.o -lpthread || exit 1
bash native/fast-time/build.sh || exit 1

esbuild=node_modules/.bin/esbuild
for project in plugin-sdk core plugins/*; do
  [ -d "$project/src" ] || continue
  "$esbuild" $(find "$project/src" -name '*.ts' ! -name '*.d.ts') --outdir="$project/dist" --outbase="$project/src" \
    --format=esm --platform=node --target=node20 --sourcemap --log-level=warning || exit 1
done
# Tests import sources by their .js names: emit those beside the .ts files.
"$esbuild" $(find test core/src plugins/*/src plugin-sdk/src -name '*.ts' ! -name '*.d.ts') --outdir=. --outbase=. \
  --format=esm --platform=node --target=node20 --log-level=warning || exit 1
bash test/programs/build.sh || echo "=== test/programs/build.sh failed in part; tests of the missing programs fail or skip"

# One mocha process per file (then per test): each gets its own CPU budget.
mocha=(node node_modules/mocha/bin/mocha.js --no-config --timeout 60000
  --require test/cpu-limit.cjs --reporter ./test/summary-reporter.cjs)
passed=0 failed=0 skipped=0
run() {  # run <mocha args…>: adds its closing line's counts; 1 when the process left none
  local out line
  out=$("${mocha[@]}" "$@" 2>&1 </dev/null)
  printf '%s\n' "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed'
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
  [ -n "$line" ] || return 1
  read -r p _ f _ s _ <<<"${line//,/}"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
}
files=("$@")
[ "${#files[@]}" -gt 0 ] || mapfile -t files < <(find test -name '*.test.js' | sort)
for file in "${files[@]}"; do
  echo "--- $file"
  run "$file" && continue
  echo "=== $file: its mocha process was killed; running each of its tests alone"
  titles=$("${mocha[@]:0:7}" --dry-run --reporter json "$file" 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const t of JSON.parse(s).tests)console.log(t.fullTitle)})')
  while IFS= read -r title; do
    [ -n "$title" ] || continue
    run --fgrep "$title" "$file" || { echo "=== killed by the CPU limit, counted as skipped: $title"; skipped=$((skipped + 1)); }
  done <<<"$titles"
done
echo "=== CPU-LIMITED CI done; skipped tests above are marked '(killed by the CPU limit)'."
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
