//go:build tools

// Package tools records the CLI main package as a dependency of this module so that `go mod tidy`
// keeps every module it needs in go.sum.
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
