package template

import (
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
)

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Hour:                         "0s",
		0:                                  "0s",
		59 * time.Second:                   "59s",
		12*time.Minute + 59*time.Second:    "12m",
		59 * time.Minute:                   "59m",
		3 * time.Hour:                      "3h",
		3*time.Hour + 5*time.Minute:        "3h 5m",
		49*time.Hour + 59*time.Minute:      "2d 1h",
		48 * time.Hour:                     "2d",
		400*24*time.Hour + 30*time.Minute:  "400d",
		23*time.Hour + 59*time.Minute + 59: "23h 59m",
	} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSeverityEmoji(t *testing.T) {
	for sev, want := range map[string]string{
		"critical": "🔥", "CRITICAL": "🔥", " page ": "🔥", "error": "🔴", "warning": "⚠️",
		"Warn": "⚠️", "info": "ℹ️", "none": "ℹ️", "": "🔔", "whatever": "🔔",
	} {
		if got := SeverityEmoji(sev); got != want {
			t.Errorf("SeverityEmoji(%q) = %q, want %q", sev, got, want)
		}
	}
	if got := alertEmoji(amtemplate.Alert{Status: "resolved", Labels: amtemplate.KV{"severity": "critical"}}); got != resolvedEmoji {
		t.Errorf("alertEmoji(resolved) = %q", got)
	}
}

func TestSilenceURL(t *testing.T) {
	a := amtemplate.Alert{Labels: amtemplate.KV{
		"alertname": "Up", "instance": `a "b" \c`, "msg": "x\ny", "dotted.name": "v", "sp": "a b+c",
	}}
	tests := []struct{ ext, want string }{
		{"", ""},
		{"not a url", ""},
		{"ftp://am", ""},
		// {alertname="Up","dotted.name"="v",instance="a \"b\" \\c",msg="x\ny",sp="a b+c"}
		{"http://am:9093/", `http://am:9093/#/silences/new?filter=%7Balertname%3D%22Up%22%2C%22dotted.name%22%3D%22v%22%2Cinstance%3D%22a%20%5C%22b%5C%22%20%5C%5Cc%22%2Cmsg%3D%22x%5Cny%22%2Csp%3D%22a%20b%2Bc%22%7D`},
		{"https://example.com/alertmanager", `https://example.com/alertmanager/#/silences/new?filter=%7Balertname%3D%22Up%22%2C%22dotted.name%22%3D%22v%22%2Cinstance%3D%22a%20%5C%22b%5C%22%20%5C%5Cc%22%2Cmsg%3D%22x%5Cny%22%2Csp%3D%22a%20b%2Bc%22%7D`},
	}
	for _, tc := range tests {
		if got := SilenceURL(tc.ext, a); got != tc.want {
			t.Errorf("SilenceURL(%q) =\n%s\nwant\n%s", tc.ext, got, tc.want)
		}
	}
}

func TestTextHelpers(t *testing.T) {
	for _, tc := range []struct {
		n        int
		in, want string
	}{
		{5, "hello", "hello"},
		{4, "hello", "hel…"},
		{3, "東京都庁舎", "東京…"},
		{2, "🔥🔥🔥", "🔥…"},
		{0, "keep", "keep"},
	} {
		if got := truncate(tc.n, tc.in); got != tc.want {
			t.Errorf("truncate(%d, %q) = %q, want %q", tc.n, tc.in, got, tc.want)
		}
	}
	if got := oneLine(" a\nb\r\n\tc  d\u2028e "); got != "a b c d e" {
		t.Errorf("oneLine = %q", got)
	}
	if got := shortLabel(amtemplate.Alert{Labels: amtemplate.KV{"job": "node", "pod": "p\n1"}}); got != "p 1" {
		t.Errorf("shortLabel = %q", got)
	}
	for s, want := range map[string]bool{"http://x": true, "https://x/y": true, "/relative": false, "javascript:alert(1)": false, "http://": false} {
		if isURL(s) != want {
			t.Errorf("isURL(%q) = %v", s, !want)
		}
	}
}

func TestShortTime(t *testing.T) {
	tm, _ := newTestTemplates(t)
	for ts, want := range map[time.Time]string{
		{}:                          "",
		testNow.Add(-time.Hour):     "03:21 UTC",
		testNow.Add(-5 * time.Hour): "Nov 20 23:21 UTC",
		time.Date(2025, 12, 31, 23, 50, 0, 0, time.FixedZone("X", 3600)): "2025-12-31 22:50 UTC",
	} {
		if got := tm.shortTime(ts); got != want {
			t.Errorf("shortTime(%v) = %q, want %q", ts, got, want)
		}
	}
}

// TestFuncNamesFree guards against an Alertmanager upgrade adding a function
// of the same name, which would silently replace Herald's.
func TestFuncNamesFree(t *testing.T) {
	tm, _ := newTestTemplates(t)
	for name := range tm.funcs() {
		if _, ok := amtemplate.DefaultFuncs[name]; ok {
			t.Errorf("Alertmanager defines %q too; its version wins", name)
		}
	}
}
