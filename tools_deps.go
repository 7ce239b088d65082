//go:build tools

// Package tools pins the modules that Herald's packages are built on before
// all of them are imported by code, so that `go mod tidy` keeps them.
package tools

import (
	_ "github.com/cenkalti/backoff/v5"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/alertmanager/pkg/labels"
	_ "github.com/prometheus/alertmanager/template"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/prometheus/promql/parser"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/net/proxy"
	_ "golang.org/x/time/rate"
	_ "gonum.org/v1/plot"
	_ "modernc.org/sqlite"
)
