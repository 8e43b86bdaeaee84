#!/usr/bin/env bash
# Runs heddle's vitest suite under one of the extra runtimes (x64-musl, arm64-glibc, arm64-musl),
# preparing it first (setup.sh; fast when done before), with the addon from
# prebuilds/linux-<arch>/heddle.<libc>.node when that exists.
#
#   run-suite.sh <runtime> [--full] [vitest args or test filters...]
#
# Without test filters, x64-musl runs the whole suite and the emulated arm64 runtimes run
# ARM64_SUBSET below (--full runs everything: about 13 minutes under qemu). Give option values
# with '=' (--testTimeout=60000), so they are not taken for filters.
# Environment: HEDDLE_RUNTIMES_CACHE (the cache directory), HEDDLE_REQUIRE_PREBUILD=1 (fail
# instead of running without the addon when the prebuild is missing), HEDDLE_NO_NATIVE=1 and
# HEDDLE_ADDON_PATH (passed on as they are).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=runtimes.sh
. "$here/runtimes.sh"
repo=$(cd "$here/../.." && pwd)

# What the arm64 runs cover: the SIMD kernels (NEON), shared memory, native I/O and RPC, the
# loader, shmipc-go with an arm64 Go peer, and the native frame scanner against the TypeScript one.
ARM64_SUBSET=(
  test/kernels test/shm test/rpc test/native test/interop/shmipc-go
  test/transport/thrift-compact-differential.test.ts test/transport/thrift-compact-bad-input.test.ts
)

{ [ $# -ge 1 ] && is_runtime "$1"; } || die "usage: run-suite.sh <${ALL_RUNTIMES[*]// /|}> [--full] [vitest args...]"
rt=$1
shift
arch=$(runtime_arch "$rt")
libc=$(runtime_libc "$rt")
cache=$(default_cache)

full=0 filtered=0 args=()
for arg in "$@"; do
  case $arg in
    --full) full=1 ;;
    -*) args+=("$arg") ;;
    *) args+=("$arg") filtered=1 ;;
  esac
done
if [ "$arch" = arm64 ] && [ $full -eq 0 ] && [ $filtered -eq 0 ]; then args+=("${ARM64_SUBSET[@]}"); fi

"$here/setup.sh" "$cache" "$rt" >/dev/null
node=$cache/$rt/bin/node
[ -f "$repo/node_modules/vitest/vitest.mjs" ] || die "node_modules/vitest is missing: run npm ci first"

# vitest's bundler and CSS transformer are native packages: add this runtime's builds.
bindings=$(node "$here/bindings.mjs" "$arch" "$libc" "$repo" "$cache")

# Some tests load heddle by its package name, which resolves to dist/ (what `npm test` builds).
if [ ! -f "$repo/dist/index.js" ] || [ -n "$(find "$repo/src-ts" -newer "$repo/dist/index.js" -name '*.ts' -print -quit)" ]; then
  say "building dist/ (npm run build)"
  (cd "$repo" && npm run build --silent) >&2
fi

env_vars=()
if [ "$libc" = musl ]; then
  # rolldown picks its binding by reading /usr/bin/ldd, which on this host is glibc's; napi-rs
  # loaders take this variable first. (lightningcss asks detect-libc, which reads node's ELF
  # interpreter and so sees musl.)
  rolldown_dir=$(awk -v n="@rolldown/binding-linux-$arch-musl" '$1==n {print $3}' <<<"$bindings")
  rolldown_binding=$(find "$rolldown_dir" -maxdepth 1 -name '*.node' -print -quit 2>/dev/null)
  [ -n "$rolldown_binding" ] || die "no @rolldown/binding-linux-$arch-musl in node_modules"
  env_vars+=("NAPI_RS_NATIVE_LIBRARY_PATH=$rolldown_binding")
fi
if [ "$rt" = x64-musl ]; then
  # The `thrift` npm package (a test peer) require()s uuid 14, which is ESM only; Node 20 loads
  # that without a flag from 20.19 on, and this runtime is 20.18.
  env_vars+=("NODE_OPTIONS=${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-require-module --disable-warning=ExperimentalWarning")
fi
# Under the arm64 runtimes, scripts/go-programs.mjs builds the Go peers (shmipc-go, Kitex) for
# arm64 (process.arch), so they run through qemu like node; the Kitex code generator stays native.

addon=
if [ "${HEDDLE_NO_NATIVE:-}" = 1 ]; then
  addon="none (HEDDLE_NO_NATIVE=1)"
elif [ -n "${HEDDLE_ADDON_PATH:-}" ]; then
  addon=$HEDDLE_ADDON_PATH
  env_vars+=(HEDDLE_EXPECT_NATIVE=1)
else
  if [ -f "$repo/prebuilds/linux-$arch/heddle.$libc.node" ]; then addon=$repo/prebuilds/linux-$arch/heddle.$libc.node; fi
  if [ -n "$addon" ]; then
    env_vars+=("HEDDLE_ADDON_PATH=$addon" HEDDLE_EXPECT_NATIVE=1)
  elif [ "${HEDDLE_REQUIRE_PREBUILD:-}" = 1 ]; then
    die "prebuilds/linux-$arch/heddle.$libc.node is missing (HEDDLE_REQUIRE_PREBUILD=1)"
  else
    say "WARNING: no prebuilds/linux-$arch/heddle.$libc.node: running without the addon (HEDDLE_NO_NATIVE=1)"
    addon="none (no prebuild)"
    env_vars+=(HEDDLE_NO_NATIVE=1)
  fi
fi

say "$rt: $("$node" -v) at $node; addon: $addon"
say "vitest run ${args[*]}"
cd "$repo"
exec env "${env_vars[@]}" "$node" node_modules/vitest/vitest.mjs run "${args[@]}"
