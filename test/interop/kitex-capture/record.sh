#!/usr/bin/env bash
# Re-records the Kitex fixtures: builds this program with the Go module proxy and writes what a
# real Kitex client and server exchanged into test/transport/fixtures/kitex/. TTHeader key order
# follows Go map iteration, so a new recording differs in byte order but not in content; the tests
# accept any recording.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../transport/fixtures/kitex"
go_bin="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
rm -rf "$out"
mkdir -p "$out"
cd "$here"
"$go_bin" run . -out "$out"
echo "recorded $(ls "$out" | wc -l) files into $out"
