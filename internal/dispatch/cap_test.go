package dispatch

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// TestCapAlert checks the bounds one alert may take in a message.
func TestCapAlert(t *testing.T) {
	t.Parallel()
	huge := amtemplate.Alert{Labels: amtemplate.KV{"alertname": "Huge", "instance": "db-1:9100"},
		Annotations: amtemplate.KV{"summary": "too many labels", "description": strings.Repeat("d", 10000)}}
	for i := range 2000 {
		huge.Labels[fmt.Sprintf("label_%04d", i)] = strings.Repeat("v", 1100)
	}
	got := capAlert(huge)
	size := 0
	for k, v := range got.Labels {
		size += len(k) + len(v)
	}
	for k, v := range got.Annotations {
		size += len(k) + len(v)
	}
	if size > maxLabelBytes+maxAnnotationBytes+200 {
		t.Errorf("capped alert takes %d bytes", size)
	}
	if got.Labels["alertname"] != "Huge" || got.Labels["instance"] != "db-1:9100" || got.Annotations["summary"] != "too many labels" {
		t.Errorf("identifying labels lost: %v %v", got.Labels, got.Annotations)
	}
	if d := got.Annotations["description"]; len(d) != maxAnnotationValue || !strings.HasSuffix(d, "… (truncated)") {
		t.Errorf("description cut to %d bytes: …%q", len(d), d[len(d)-20:])
	}
	note := got.Labels[TruncatedLabel]
	if !strings.Contains(note, "labels and 0 annotations not shown") {
		t.Errorf("note %q", note)
	}
	if len(huge.Labels) != 2002 {
		t.Error("capAlert changed the alert it was given")
	}

	small := amtemplate.Alert{Labels: amtemplate.KV{"alertname": "A", "job": "node"}, Annotations: amtemplate.KV{}}
	if got := capAlert(small); len(got.Labels) != 2 || got.Labels[TruncatedLabel] != "" {
		t.Errorf("a small alert was changed: %v", got.Labels)
	}
}

// TestCutKeepsUTF8 checks that a cut never splits a character.
func TestCutKeepsUTF8(t *testing.T) {
	t.Parallel()
	for n := 20; n < 40; n++ {
		s := cut(strings.Repeat("日本語", 20), n)
		if !utf8.ValidString(s) || len(s) > n {
			t.Errorf("cut to %d: %q (%d bytes)", n, s, len(s))
		}
	}
}
