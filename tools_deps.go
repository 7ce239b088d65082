//go:build tools

package tools

import (
	_ "github.com/cenkalti/backoff/v5"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/alertmanager/pkg/labels"
	_ "github.com/prometheus/alertmanager/template"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/net/proxy"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
