package store

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
)

func TestFiring(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ops := alert.Target{Channel: "ops", SendResolved: true}
	now := time.Now()
	fire := notification("firing")
	fire.Alerts = append(fire.Alerts, mkAlert("a", "firing", now.Add(-time.Hour)), mkAlert("b", "firing", now.Add(-time.Hour)))
	ingest(t, s, fire, now.Add(-30*time.Minute), ops)
	res := notification("resolved")
	res.Alerts = append(res.Alerts, mkAlert("b", "resolved", now.Add(-time.Hour)))
	ingest(t, s, res, now.Add(-10*time.Minute), ops)
	old := notification("firing")
	old.Alerts = append(old.Alerts, mkAlert("c", "firing", now.Add(-50*time.Hour)))
	ingest(t, s, old, now.Add(-48*time.Hour), ops)

	got, err := s.Firing(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Fingerprint != "a" {
		t.Fatalf("Firing = %+v, want only a (b resolved, c not heard of for two days)", got)
	}
}
