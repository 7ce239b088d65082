package console

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

var now = time.Date(2026, 11, 21, 4, 21, 42, 0, time.UTC)

func newTemplates(t *testing.T) (*template.Templates, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	return alerts.Templates(t, now, slog.New(slog.NewTextHandler(&logs, nil))), &logs
}

func message(kind alert.Kind, prev ...notify.Ref) *notify.Message {
	a := amtemplate.Alert{
		Status:      string(alert.KindFiring),
		Labels:      amtemplate.KV{"alertname": "HostDown", "instance": "node-1:9100", "severity": "critical"},
		Annotations: amtemplate.KV{"summary": "node-1 is down"},
		StartsAt:    now.Add(-12 * time.Minute),
	}
	if kind == alert.KindResolved {
		a.Status = string(alert.KindResolved)
		a.EndsAt = now
	}
	return &notify.Message{
		Channel:  "ops",
		Kind:     kind,
		Data:     &amtemplate.Data{Status: a.Status, Alerts: amtemplate.Alerts{a}, CommonLabels: a.Labels},
		Previous: prev,
	}
}

func TestNotify(t *testing.T) {
	tm, logs := newTemplates(t)
	var out bytes.Buffer
	n := New(&Config{}, tm, &out)
	ctx := context.Background()

	refs, retry, err := n.Notify(ctx, message(alert.KindFiring))
	if err != nil || retry || len(refs) != 1 || refs[0] != (notify.Ref{Part: 0, MessageID: "1"}) {
		t.Fatalf("Notify = %v, %v, %v", refs, retry, err)
	}
	refs, _, err = n.Notify(ctx, message(alert.KindResolved, refs...))
	if err != nil || refs[0].MessageID != "2" {
		t.Fatalf("second Notify = %v, %v", refs, err)
	}
	want := `----- #1 ops firing -----
[FIRING] HostDown (critical)
node-1 is down
labels: instance="node-1:9100"
started 04:09 UTC, firing for 12m
----- #2 ops resolved re #1 -----
[RESOLVED] HostDown (critical)
node-1 is down
labels: instance="node-1:9100"
started 04:09 UTC, resolved after 12m
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if logs.Len() > 0 {
		t.Errorf("logged: %s", logs.String())
	}
}

func TestNotifyTemplates(t *testing.T) {
	tests := []struct {
		name    string
		cfg     *Config
		m       *notify.Message
		want    string
		wantLog string
	}{
		{"nil config", nil, message(alert.KindReminder), "----- #1 ops reminder -----\n[REMINDER] still firing for 12m: HostDown node-1:9100\nnode-1 is down\n", ""},
		{"custom", &Config{Message: `{{ .Channel }}: {{ .CommonLabels.alertname }} is {{ .Kind }}`}, message(alert.KindFiring), "----- #1 ops firing -----\nops: HostDown is firing\n", ""},
		{"broken custom falls back", &Config{Message: `{{ template "nope" . }}`}, message(alert.KindReminder), "----- #1 ops reminder -----\n[REMINDER] still firing for 12m: HostDown node-1:9100\nnode-1 is down\n", "level=ERROR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, logs := newTemplates(t)
			var out bytes.Buffer
			if _, _, err := New(tc.cfg, tm, &out).Notify(context.Background(), tc.m); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("output:\n%q\nwant:\n%q", out.String(), tc.want)
			}
			if !strings.Contains(logs.String(), tc.wantLog) || (tc.wantLog == "" && logs.Len() > 0) {
				t.Errorf("log %q, want %q", logs.String(), tc.wantLog)
			}
		})
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write(p []byte) (int, error) { return 0, w.err }

func TestNotifyErrors(t *testing.T) {
	tm, _ := newTemplates(t)
	broken := errors.New("broken pipe")
	n := New(nil, tm, failingWriter{broken})
	refs, retry, err := n.Notify(context.Background(), message(alert.KindFiring))
	if !errors.Is(err, broken) || !retry || refs != nil {
		t.Errorf("write error: Notify = %v, %v, %v; want retry with the error", refs, retry, err)
	}

	var out bytes.Buffer
	n = New(nil, tm, &out)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, retry, err := n.Notify(ctx, message(alert.KindFiring)); !errors.Is(err, context.Canceled) || !retry {
		t.Errorf("cancelled: Notify = %v, %v", retry, err)
	}
	m := message(alert.KindFiring)
	m.SentParts = 1
	if refs, retry, err := n.Notify(context.Background(), m); refs != nil || retry || err != nil {
		t.Errorf("already sent: Notify = %v, %v, %v", refs, retry, err)
	}
	if out.Len() > 0 {
		t.Errorf("wrote %q", out.String())
	}
	// Failed attempts do not use up message numbers.
	if refs, _, _ := n.Notify(context.Background(), message(alert.KindFiring)); refs[0].MessageID != "1" {
		t.Errorf("first written message has ID %q", refs[0].MessageID)
	}
}

// TestNotifyConcurrent checks, under the race detector, that blocks from
// concurrent calls never interleave and get distinct numbers.
func TestNotifyConcurrent(t *testing.T) {
	tm, _ := newTemplates(t)
	var out bytes.Buffer
	n := New(nil, tm, &out)
	const calls = 32
	ids := make(chan string, calls)
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			refs, _, err := n.Notify(context.Background(), message(alert.KindFiring))
			if err != nil {
				t.Error(err)
				return
			}
			ids <- refs[0].MessageID
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	blocks := strings.Split(out.String(), "----- #")[1:]
	if len(seen) != calls || len(blocks) != calls {
		t.Fatalf("%d distinct IDs, %d blocks; want %d", len(seen), len(blocks), calls)
	}
	for i, b := range blocks {
		if !strings.HasPrefix(b, strconv.Itoa(i+1)+" ops firing -----\n[FIRING] HostDown") || strings.Count(b, "\n") != 5 {
			t.Errorf("block %d is mangled:\n%s", i+1, b)
		}
	}
}
