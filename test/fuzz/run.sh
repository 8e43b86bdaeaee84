#!/usr/bin/env bash
# Builds every libFuzzer target (test/fuzz/fuzz_*.cc, src-native/io/fuzz_*.cc) against the pure
# C++ kernel sources with ASan and UBSan, into test/fuzz/out/, then runs each for the given
# seconds (default 10).
# Exits non-zero if a target fails to build or finds a crash, leak or SIMD/scalar mismatch.
#
#   test/fuzz/run.sh [seconds-per-target]
set -uo pipefail

seconds="${1:-10}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
native="$(cd "$here/../../src-native" && pwd)"
out="$here/out"
cxx="${CXX:-clang++}"
mkdir -p "$out"

# The kernels and their dispatch: pure C++ only (no napi glue).
mapfile -t sources < <(find "$native/codec" "$native/simd" -name '*.cc' ! -name '*_napi.cc' ! -name 'fuzz_*' | sort)
sources+=("$native/io/frame_scan.cc")  # the rest of io/ is napi glue

failed=()
for target in "$here"/fuzz_*.cc "$native"/io/fuzz_*.cc; do
  name="$(basename "$target" .cc)"
  echo "fuzz: building $name"
  if ! "$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
      -fno-sanitize-recover=all -I "$native" -I "$here" "$target" "${sources[@]}" -o "$out/$name"; then
    failed+=("$name (build)")
    continue
  fi
  corpus="$out/corpus/$name"
  mkdir -p "$corpus"
  # Optional per target: a token dictionary (test/fuzz/<name>.dict) and seed inputs
  # (test/fuzz/seeds/<name>/, read only: libFuzzer writes new finds to the first directory).
  flags=()
  seeds=()
  [ -f "$here/$name.dict" ] && flags+=(-dict="$here/$name.dict")
  [ -d "$here/seeds/$name" ] && seeds+=("$here/seeds/$name")
  echo "fuzz: running $name for ${seconds}s"
  if ! (cd "$out" && "./$name" -max_total_time="$seconds" -print_final_stats=1 "${flags[@]}" "$corpus" "${seeds[@]}"); then
    failed+=("$name")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: every target ran ${seconds}s without a crash"
