package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/buildinfo"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
	"github.com/heraldhq/herald/internal/store"
)

type brokenStore struct{}

func (brokenStore) OldestPending(context.Context) (time.Time, bool, error) {
	return time.Time{}, false, errors.New("disk on fire")
}

// The outbox age follows the oldest pending delivery in a real store, on
// an injected clock.
func TestOldestPendingAge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "herald.db"), store.Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := t0
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(selfMetrics(buildinfo.Info{Version: "v1", Revision: "abc", GoVersion: "go1"}, st, func() time.Time { return now })...)
	age := func() float64 {
		t.Helper()
		v, err := testutil.GatherAndCount(reg, "herald_outbox_oldest_pending_age_seconds")
		if err != nil || v != 1 {
			t.Fatalf("series: %d, %v", v, err)
		}
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() == "herald_outbox_oldest_pending_age_seconds" {
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		return -2
	}

	if got := age(); got != 0 {
		t.Fatalf("empty outbox: %v, want 0", got)
	}
	n := &alert.Notification{Version: "4", GroupKey: "{}:{}"}
	n.Receiver, n.Status = "herald", "firing"
	n.Alerts = amtemplate.Alerts{{Status: "firing", Fingerprint: "f1", StartsAt: t0, Labels: amtemplate.KV{"alertname": "A"}}}
	if _, err := st.Ingest(ctx, &store.Ingest{Notification: n, Targets: [][]alert.Target{{{Channel: "ops"}}}, ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		after time.Duration
		want  float64
	}{{0, 0}, {90 * time.Second, 90}, {15 * time.Minute, 900}, {-time.Hour, 0}} {
		now = t0.Add(step.after)
		if got := age(); got != step.want {
			t.Errorf("%v after the delivery was stored: age %v, want %v", step.after, got, step.want)
		}
	}

	broken := prometheus.NewRegistry()
	broken.MustRegister(selfMetrics(buildinfo.Info{}, brokenStore{}, time.Now)[1])
	if err := testutil.GatherAndCompare(broken, strings.NewReader(`
# HELP herald_outbox_oldest_pending_age_seconds Age of the oldest delivery waiting to be sent or retried; 0 when none waits, -1 when the store cannot be read.
# TYPE herald_outbox_oldest_pending_age_seconds gauge
herald_outbox_oldest_pending_age_seconds -1
`)); err != nil {
		t.Error(err)
	}
}

// A running Herald exposes its build, its outbox age and the outcome of
// its reloads on /metrics.
func TestSelfMetricsServed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "herald.yml")
	good := fmt.Appendf(nil, "data_dir: %s\nchannels:\n  - {name: c, console: {}}\n", filepath.Join(dir, "data"))
	if err := os.WriteFile(cfgFile, good, 0o600); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	co, err := config.NewCoordinator(cfgFile, true, os.Getenv, logger, platforms.Configs())
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	a := New(co, Options{ListenAddress: "127.0.0.1:0", Stdout: io.Discard, Logger: logger,
		Ready: func(addr string) { ready <- addr }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	scrape := func() string {
		t.Helper()
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	bi := buildinfo.Get()
	body := scrape()
	for _, want := range []string{
		fmt.Sprintf(`herald_build_info{goversion=%q,revision=%q,version=%q} 1`, bi.GoVersion, bi.Revision, bi.Version),
		"herald_outbox_oldest_pending_age_seconds 0",
		"herald_config_last_reload_successful 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// A refused reload shows, and the time of the last good one stays.
	if err := os.WriteFile(cfgFile, []byte("channels: [}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad reload: %d", resp.StatusCode)
	}
	body = scrape()
	for _, want := range []string{"herald_config_last_reload_successful 0", `herald_http_requests_total{code="400",handler="/-/reload"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics after a refused reload lacks %q", want)
		}
	}
	if ok, at := co.LastReloadSuccess(); ok || at.IsZero() {
		t.Errorf("LastReloadSuccess = %v, %v", ok, at)
	}
}
