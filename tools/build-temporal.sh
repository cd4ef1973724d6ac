#!/usr/bin/env bash
# Builds the official Temporal CLI (which embeds the dev server) from the Go module proxy into
# .tools/bin/temporal. Skips the build when a new-enough binary is already there or on PATH.
# Go's module and build caches (~/go/pkg/mod, ~/.cache/go-build) make a second build take seconds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.tools/bin/temporal"
want_cli="$(sed -n 's/^require github\.com\/temporalio\/cli v\([0-9.]*\).*/\1/p' "$root/tools/temporal-cli/go.mod")"
# The server go.mod pins: an older build of ours is rebuilt (cli/temporal/dev-server.ts reads it too).
want_server="$(sed -n 's/^[[:space:]]*\(require[[:space:]]*\)\{0,1\}go\.temporal\.io\/server v\([0-9.]*\).*/\2/p' "$root/tools/temporal-cli/go.mod")"
min_server="1.31.0"  # the oldest a temporal on PATH may embed
[ -n "$want_cli" ] && [ -n "$want_server" ] || { echo "error: no CLI or server version found in tools/temporal-cli/go.mod" >&2; exit 1; }

server_version() { "$1" --version 2>/dev/null | sed -n 's/.*Server \([0-9.]*\).*/\1/p'; }
at_least() {  # binary, version
  local v; v="$(server_version "$1")"
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$2" "$v" | sort -V | head -n1)" = "$2" ]
}

if [ -x "$out" ] && at_least "$out" "$want_server"; then
  echo "temporal: $("$out" --version) (already built at .tools/bin/temporal)"
  exit 0
fi
if [ "${SAFE_DEPLOY_FORCE_BUILD:-}" != "1" ] && command -v temporal >/dev/null && at_least "$(command -v temporal)" "$min_server"; then
  mkdir -p "$(dirname "$out")"
  ln -sf "$(command -v temporal)" "$out"
  echo "temporal: using $(command -v temporal) from PATH ($(temporal --version))"
  exit 0
fi

command -v go >/dev/null || { echo "error: Go (>= 1.21) is needed to build the Temporal CLI" >&2; exit 1; }
# go.mod needs Go 1.26.10 (server 1.32.2); the machine's Go fetches this toolchain from the module
# proxy once (~76 MB) and runs it. The machine's own Go would refuse go.mod instead.
toolchain="go1.27.3"
echo "temporal: building CLI v$want_cli from the Go module proxy (cold: several minutes)..." >&2
mkdir -p "$(dirname "$out")"
cd "$root/tools/temporal-cli"
start=$(date +%s)
GOTOOLCHAIN="$toolchain" CGO_ENABLED=0 go build -trimpath -o "$out.tmp" github.com/temporalio/cli/cmd/temporal
mv "$out.tmp" "$out"
echo "temporal: built $("$out" --version) in $(( $(date +%s) - start ))s" >&2
