package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/store"
)

// fillStore leaves in dir's database one sent, one failed and one pending
// delivery to ops, and a pending one to dev.
func fillStore(t *testing.T, dbPath string) time.Time {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbPath, store.Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	mk := func(instance string) amtemplate.Alert {
		labels := amtemplate.KV{"alertname": "NodeDown", "instance": instance, "job": "node"}
		return amtemplate.Alert{Status: "firing", Labels: labels, StartsAt: t0, Fingerprint: alert.Fingerprint(labels)}
	}
	n := &alert.Notification{Version: "4", GroupKey: "{}:{}"}
	n.Receiver, n.Status = "herald", "firing"
	n.Alerts = amtemplate.Alerts{mk("sent:9100"), mk("failed:9100"), mk("pending:9100"), mk("evil\x1b[31m:9100")}
	ops := []alert.Target{{Channel: "ops"}}
	if _, err := st.Ingest(ctx, &store.Ingest{Notification: n, ReceivedAt: t0,
		Targets: [][]alert.Target{ops, ops, ops, {{Channel: "dev"}}}}); err != nil {
		t.Fatal(err)
	}
	ready, err := st.Ready(ctx, "ops", t0.Add(time.Minute), 10)
	if err != nil || len(ready) != 3 {
		t.Fatalf("ready: %v %d", err, len(ready))
	}
	for i, o := range []store.Outcome{
		{State: store.StateSent},
		{State: store.StateFailed, Error: "telegram sendMessage: 400 Bad Request: chat not found"},
		{State: store.StatePending, NextAttempt: t0.Add(10 * time.Minute), Error: "telegram sendMessage: 429 Too Many Requests"},
	} {
		o.Deliveries, o.At = ready[i:i+1], t0.Add(time.Minute)
		if err := st.Record(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	return t0
}

func TestDeliveries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfg := writeFile(t, dir, "herald.yml", fmt.Sprintf("data_dir: %s\nchannels:\n  - {name: ops, console: {}}\n  - {name: dev, console: {}}\n", data))
	if code, _, errs := runCmd("deliveries", "--config", cfg); code != 1 || !strings.Contains(errs, "no database at "+filepath.Join(data, "herald.db")) {
		t.Fatalf("before Herald ran: %d %q", code, errs)
	}
	fillStore(t, filepath.Join(data, "herald.db"))

	code, out, errs := runCmd("deliveries", "--config.file", cfg)
	if code != 0 {
		t.Fatalf("%d %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "ID  CHANNEL  ALERTNAME  LABELS") {
		t.Fatalf("table:\n%s", out)
	}
	for i, want := range [][]string{
		{"4", "dev", "NodeDown", `{instance="evil\x1b[31m:9100", job="node"}`, "firing", "pending", " 0 ", "2026-12-04 10:00:00"},
		{"3", "ops", `{instance="pending:9100", job="node"}`, "pending", " 1 ", "2026-12-04 10:10:00", "429 Too Many Requests"},
		{"2", "ops", `{instance="failed:9100", job="node"}`, "failed", " 1 ", "chat not found"},
		{"1", "ops", `{instance="sent:9100", job="node"}`, "sent", " 1 "},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("row %d lacks %q:\n%s", i+1, w, out)
			}
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("a label's escape sequence reached the terminal")
	}

	code, out, _ = runCmd("deliveries", "--config", cfg, "--state", "failed")
	if code != 0 || strings.Count(strings.TrimSpace(out), "\n") != 1 || !strings.Contains(out, "failed:9100") {
		t.Errorf("--state failed:\n%s", out)
	}
	code, out, _ = runCmd("deliveries", "--config", cfg, "--state", "pending", "--channel", "ops")
	if code != 0 || strings.Count(strings.TrimSpace(out), "\n") != 1 || !strings.Contains(out, "pending:9100") {
		t.Errorf("--state pending --channel ops:\n%s", out)
	}
	if code, out, _ := runCmd("deliveries", "--config", cfg, "--channel", "nowhere"); code != 0 || out != "no deliveries\n" {
		t.Errorf("--channel nowhere: %q", out)
	}

	code, out, _ = runCmd("deliveries", "--config", cfg, "--json", "--limit", "2")
	var list []store.DeliveryInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if len(list) != 2 || list[0].Channel != "dev" || list[1].State != "pending" || list[1].Attempts != 1 ||
		list[1].Labels["instance"] != "pending:9100" || list[1].NextAttempt.IsZero() {
		t.Errorf("--json: %+v", list)
	}
	if !strings.Contains(out, `"lastError": "telegram sendMessage: 429 Too Many Requests"`) {
		t.Errorf("--json lacks the last error:\n%s", out)
	}
}
