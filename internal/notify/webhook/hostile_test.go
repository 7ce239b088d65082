package webhook

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// TestHostileValuesStayData sends every hostile value of the shared table,
// and a few that only JSON cares about, in every label and annotation: the
// body must always be valid JSON that decodes into the schema, and every
// value must arrive as the same string (data for the receiver, which
// renders nothing of Herald's), invalid UTF-8 turned into U+FFFD.
func TestHostileValuesStayData(t *testing.T) {
	t.Parallel()
	values := append([]alerts.Hostile{}, alerts.HostileValues...)
	values = append(values,
		alerts.Hostile{Name: "invalid utf-8", Value: "a\xff\xfeb"},
		alerts.Hostile{Name: "nul and separators", Value: "a\x00b\u2028c\u2029d"},
		alerts.Hostile{Name: "json breakout", Value: `"},"labels":{"x":"y`},
	)
	for _, h := range values {
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t)
			n := newNotifier(t, Config{URL: config.Secret(rcv.URL)}, nil)
			if _, _, err := notifyCtx(t, n, alerts.Message(alert.KindFiring, alerts.HostileAlert(h)), 5*time.Second); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			body := rcv.requests()[0].body
			if !json.Valid(body) {
				t.Fatalf("invalid JSON: %q", body)
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			var ev Event
			if err := dec.Decode(&ev); err != nil || dec.More() {
				t.Fatalf("the body does not decode into the schema: %v", err)
			}
			want := string([]rune(h.Value)) // each invalid byte becomes U+FFFD, as encoding/json writes it
			a := ev.Alerts[0]
			for _, got := range []string{a.Labels["alertname"], a.Labels["instance"], a.Labels["job"], a.Annotations["summary"], a.Annotations["description"]} {
				if got != want {
					t.Errorf("value %q arrived as %q", want, got)
				}
			}
			if len(a.Labels) != 4 || len(a.Annotations) != 2 {
				t.Errorf("labels %v annotations %v: a value added or removed some", a.Labels, a.Annotations)
			}
		})
	}
}
