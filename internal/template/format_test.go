package template

import (
	"errors"
	"strings"
	"testing"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// TestFormatCheckAndEscape: a format's Check sends a refused text to the
// fallback and then to the built-in text, whose values its Escape writes.
func TestFormatCheckAndEscape(t *testing.T) {
	t.Parallel()
	tm := mustNew(t)
	d := testData("firing", false, amtemplate.Alert{Status: "firing", Labels: amtemplate.KV{"alertname": "Disk<Full>"}})
	refuseX := Format{Name: "no-x", Escape: strings.ToUpper, Check: func(s string) error {
		if strings.Contains(s, "x") {
			return errors.New("x refused")
		}
		return nil
	}}
	if got := tm.Execute("x", "fallback", d, refuseX); got != "fallback" {
		t.Errorf("refused text: got %q, want the fallback", got)
	}
	got := tm.Execute("x", "x again", d, refuseX)
	if !strings.Contains(got, "DISK<FULL>") || !strings.Contains(got, "message template failed") {
		t.Errorf("both refused: got %q, want the built-in text escaped by Escape", got)
	}
	if got := tm.Execute("x", "", d, Text); got != "x" {
		t.Errorf("Text checks nothing: got %q", got)
	}
}
