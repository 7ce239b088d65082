package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// Alerts go through real Alertmanager processes — an HA pair that both
// notify Herald, as unclustered peers do — and reach the fake Telegram
// firing once and resolved once.
func TestRealAlertmanagerHAPair(t *testing.T) {
	fake := newFake(t)
	h := startHerald(t, configFor(t, fake, t.TempDir(), ""))
	am1 := realproc.StartAlertmanager(t, h.URL+"/api/v1/alerts")
	am2 := realproc.StartAlertmanager(t, h.URL+"/api/v1/alerts")

	starts := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	alert := realproc.PostableAlert{
		Labels: map[string]string{"alertname": "DiskFull", "instance": "db-1:9100", "severity": "critical",
			"mount": "/var/<lib>&"},
		Annotations:  map[string]string{"summary": "Disk /var/lib is 97% full"},
		StartsAt:     starts,
		GeneratorURL: "http://prometheus.example:9090/graph?g0.expr=disk_used_percent+%3E+95",
	}
	am1.Post(t, alert)
	am2.Post(t, alert)
	msgs, err := fake.WaitMessages(1, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	firing := msgs[0]
	if firing.ChatID != opsChat || !strings.Contains(firing.Plain, "DiskFull") || !strings.Contains(firing.Plain, "/var/<lib>&") {
		t.Fatalf("firing message in chat %d:\n%s", firing.ChatID, firing.Plain)
	}

	alert.EndsAt = time.Now().UTC()
	am1.Post(t, alert)
	am2.Post(t, alert)
	if _, err := fake.WaitMessages(2, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	// Wait until both peers have sent both notifications, so that the
	// duplicates really reached Herald, then let anything queued arrive.
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(h.Log.String(), `msg="notification stored"`) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("Herald stored %d notifications; both peers should have sent firing and resolved",
				strings.Count(h.Log.String(), `msg="notification stored"`))
		}
		time.Sleep(100 * time.Millisecond)
	}
	settle()
	msgs = fake.Messages()
	if len(msgs) != 2 {
		for _, m := range msgs {
			t.Logf("message %d reply to %d:\n%s", m.ID, m.ReplyTo, m.Plain)
		}
		t.Fatalf("%d messages, want firing and resolved once each", len(msgs))
	}
	if msgs[1].ReplyTo != firing.ID || !strings.Contains(strings.ToUpper(msgs[1].Plain), "RESOLVED") {
		t.Fatalf("resolved message (reply to %d):\n%s", msgs[1].ReplyTo, msgs[1].Plain)
	}
}
