package alert

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestDecodeRealPayload(t *testing.T) {
	b, err := os.ReadFile("testdata/alertmanager-0.25-webhook-firing.json")
	if err != nil {
		t.Fatal(err)
	}
	n, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	a := n.Alerts[0]
	if a.Labels["instance"] != "node-2.example:9100" || a.Fingerprint != "b452131657f3bca1" || !a.EndsAt.IsZero() {
		t.Fatalf("decoded %+v", a)
	}
	if !strings.Contains(a.GeneratorURL, "g0.expr=") || n.GroupKey == "" || n.ExternalURL != "http://alertmanager.example:9093" {
		t.Fatalf("decoded %+v", n)
	}
}

func TestDecodeErrors(t *testing.T) {
	alert := `{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z"}`
	cases := []struct{ body, want string }{
		{``, "empty body"},
		{`[`, "invalid JSON"},
		{`{"version":4}`, `invalid JSON: field "version": string cannot hold number`},
		{`{"status":"firing","alerts":[` + alert + `]}`, `missing field "version"`},
		{`{"version":"3","status":"firing","alerts":[` + alert + `]}`, `unsupported version "3"`},
		{`{"version":"4","status":"bad","alerts":[` + alert + `]}`, `field "status" must be "firing" or "resolved", got "bad"`},
		{`{"version":"4","status":"firing"}`, `field "alerts" is missing or empty`},
		{`{"version":"4","status":"firing","alerts":[{"status":"x"}]}`, `alerts[0].status must be`},
		{`{"version":"4","status":"firing","alerts":[{"status":"firing"}]}`, `alerts[0].labels is missing or empty`},
		{`{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":"b"}}]}`, `alerts[0].startsAt is missing`},
		{`{"version":"4","status":"firing","alerts":[` + alert + `]} {}`, `data after the top-level object`},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.body))
		var ie *InvalidError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.body, err, c.want)
		}
	}
}

func TestFingerprintComputedWhenMissing(t *testing.T) {
	n, err := Decode([]byte(`{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Alerts[0].Fingerprint; got == "" || got != Fingerprint(n.Alerts[0].Labels) {
		t.Fatalf("fingerprint %q", got)
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := os.ReadFile("testdata/alertmanager-0.25-webhook-firing.json")
	f.Add(b)
	f.Add([]byte(`{"version":"4","status":"resolved","alerts":[{"status":"resolved","labels":{"a":"<b>"},"startsAt":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := Decode(body)
		if err != nil {
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("error of the wrong type: %T %v", err, err)
			}
			return
		}
		if len(n.Alerts) == 0 || n.Version != SupportedVersion {
			t.Fatalf("accepted an invalid payload: %+v", n)
		}
		for _, a := range n.Alerts {
			if a.Fingerprint == "" || a.StartsAt.IsZero() || len(a.Labels) == 0 {
				t.Fatalf("accepted an invalid alert: %+v", a)
			}
		}
	})
}
