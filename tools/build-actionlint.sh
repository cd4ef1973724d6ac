#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter) from the Go module proxy into
# .tools/bin/actionlint. Skips the build when that exact version is already there.
# Go's module and build caches make a rebuild take seconds; a cold build takes about a minute.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="1.7.12"   # pinned: bump deliberately (go list -m -versions github.com/rhysd/actionlint)
bin_dir="$root/.tools/bin"
out="$bin_dir/actionlint"

if [ -x "$out" ] && [ "$("$out" -version 2>/dev/null | head -n1)" = "v$version" ]; then
  exit 0
fi

command -v go >/dev/null || { echo "error: Go is needed to build actionlint" >&2; exit 1; }
echo "actionlint: building v$version from the Go module proxy..." >&2
mkdir -p "$bin_dir"
start=$(date +%s)
# go install puts the binary in $GOBIN under its package name: .tools/bin/actionlint.
GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$bin_dir" go install -trimpath "github.com/rhysd/actionlint/cmd/actionlint@v$version"
echo "actionlint: built v$version in $(( $(date +%s) - start ))s" >&2
