#!/usr/bin/env bash
# npm run test:asan: builds the addon with clang's AddressSanitizer and UndefinedBehaviorSanitizer
# into .asan/ (the normal build/ is left alone) and runs the test suite against it.
#
# Node itself is not instrumented, so the ASan runtime is preloaded; leak detection is off because
# Node does not free everything at exit (LeakSanitizer would report V8's heap, not ours).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

command -v clang++ >/dev/null || { echo "test:asan needs clang++ (Debian: apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
runtime=$(clang++ -print-file-name=libclang_rt.asan-x86_64.so)
[ -f "$runtime" ] || { echo "test:asan: ASan runtime not found ($runtime); install libclang-rt-14-dev" >&2; exit 1; }

# A private copy of the native sources, so gyp's build/ directory for the sanitizer build is
# separate from the release one.
rm -rf .asan && mkdir -p .asan/scripts
cp -r binding.gyp src-native .asan/
cp scripts/list-native-sources.mjs .asan/scripts/
nodedir=$(node -p "require('path').dirname(require('path').dirname(process.execPath))")
(
  cd .asan
  CC=clang CXX=clang++ LINK=clang++ HEDDLE_SANITIZE=address,undefined npm_config_nodedir="$nodedir" \
    node "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild --release --nodedir="$nodedir" >build.log 2>&1 \
    || { cat build.log; exit 1; }
)

npm run build --silent
export HEDDLE_ADDON_PATH="$root/.asan/build/Release/heddle.node"
export HEDDLE_EXPECT_NATIVE=1
export LD_PRELOAD="$runtime"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Only the native addon is instrumented; tests that spawn Go or Python peers inherit LD_PRELOAD,
# which the ASan runtime tolerates for uninstrumented programs.
npx vitest run "$@"
