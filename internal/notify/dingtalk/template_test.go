package dingtalk

import (
	"regexp"
	"strings"
	"testing"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// link is a markdown link or image on one line.
var link = regexp.MustCompile(`!?\[[^\]\n]*\]\([^)\s]*\)`)

// The default templates keep every markup element on one line, whatever
// line breaks the labels and summaries carry, so that a split at a line
// break never breaks markup; titles are one line.
func TestDefaultTemplatesKeepMarkupOnOneLine(t *testing.T) {
	t.Parallel()
	nasty := amtemplate.KV{"alertname": "Disk\nFull", "severity": "warning\nhigh", "instance": "db\n1:9100",
		"job": "node\nexporter", "summary": "line one\nline two", "runbook": "x"}
	folded := message(alert.KindResolved, nasty, cpu())
	folded.Folded = true
	n := newNotifier(t, &Config{URL: "https://oapi.dingtalk.com/robot/send?access_token=t"}, nil)
	for name, m := range map[string]*notify.Message{
		"firing": message(alert.KindFiring, nasty), "resolved": message(alert.KindResolved, nasty),
		"reminder": message(alert.KindReminder, nasty), "folded": folded, "two alerts": message(alert.KindFiring, nasty, cpu()),
	} {
		t.Run(name, func(t *testing.T) {
			title, text := n.render(m)
			if title == "" || strings.Contains(title, "\n") || !strings.Contains(title, "Disk Full") && !strings.Contains(title, "alerts") {
				t.Errorf("title %q", title)
			}
			for _, line := range strings.Split(text, "\n") {
				if strings.Count(line, "**")%2 != 0 {
					t.Errorf("bold across lines: %q", line)
				}
				rest := link.ReplaceAllString(line, "")
				if strings.Contains(rest, "](") {
					t.Errorf("broken link: %q", line)
				}
			}
			if !strings.Contains(text, "Disk Full") {
				t.Errorf("alert not named:\n%s", text)
			}
		})
	}
}

// A folded message names every alert in it, each on its own list line.
func TestFoldedListNamesEveryAlert(t *testing.T) {
	t.Parallel()
	n := newNotifier(t, &Config{URL: "https://oapi.dingtalk.com/robot/send?access_token=t"}, nil)
	title, text := n.render(storm(100))
	if title != "🔥 100 alerts firing" {
		t.Errorf("title %q", title)
	}
	if c := strings.Count(text, "\n- ⚠️ **DiskFull** node-"); c != 100 {
		t.Errorf("%d list lines, want 100", c)
	}
}

// A channel's own templates replace the defaults; a broken one falls back
// to them rather than losing the alert.
func TestChannelTemplates(t *testing.T) {
	t.Parallel()
	cfg := &Config{URL: "https://oapi.dingtalk.com/robot/send?access_token=t",
		Title: `[{{ .Kind }}] {{ .CommonLabels.alertname }}`, Message: `{{ len .Alerts }} alert(s) for {{ .Channel }}`}
	title, text := newNotifier(t, cfg, nil).render(message(alert.KindFiring, cpu()))
	if title != "[firing] HighCPU" || text != "1 alert(s) for ops" {
		t.Errorf("title %q, text %q", title, text)
	}
	cfg.Message = `{{ template "no.such.template" . }}`
	if _, text := newNotifier(t, cfg, nil).render(message(alert.KindFiring, cpu())); !strings.Contains(text, "**HighCPU**") {
		t.Errorf("no fallback to the default:\n%s", text)
	}
}
