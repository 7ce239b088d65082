package template

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// TestDefaultTemplatesShowValue checks that every platform's default
// message shows the current value of the chart: the value that fired, and
// the value now once the alert resolved; and nothing without one.
func TestDefaultTemplatesShowValue(t *testing.T) {
	t.Parallel()
	// The platforms' own templates are read from their packages, which
	// import this one.
	var platforms []fs.FS
	for _, p := range []string{"dingtalk", "wecom", "slack", "teams", "discord"} {
		platforms = append(platforms, os.DirFS(filepath.Join("..", "notify", p)))
	}
	tmpl, err := New(nil, nil, platforms...)
	if err != nil {
		t.Fatal(err)
	}
	starts := time.Date(2026, 11, 21, 4, 9, 41, 0, time.UTC)
	for _, p := range []struct {
		name, message string
		html          bool
	}{
		{"telegram", DefaultTelegramMessage, true},
		{"console", DefaultConsoleMessage, false},
		{"dingtalk", `{{ template "dingtalk.herald.message" . }}`, false},
		{"wecom", `{{ template "wecom.herald.message" . }}`, false},
		{"slack", `{{ template "slack.herald.message" . }}`, false},
		{"teams", `{{ template "teams.herald.message" . }}`, false},
		{"discord", `{{ template "discord.herald.message" . }}`, false},
	} {
		for _, kind := range []string{"firing", "resolved"} {
			a := amtemplate.Alert{Status: kind, StartsAt: starts, Labels: amtemplate.KV{"alertname": "HostHighCpuLoad", "instance": "web-1"},
				Annotations: amtemplate.KV{"summary": "CPU busy"}}
			if kind == "resolved" {
				a.EndsAt = starts.Add(10 * time.Minute)
			}
			d := NewData(&amtemplate.Data{Status: kind, Alerts: amtemplate.Alerts{a}}, kind, false, "c")
			without := tmpl.Execute("", p.message, d, formatOf(p.html))
			v := 93.25
			d.Value, d.ValueText = &v, "93.2 %"
			with := tmpl.Execute("", p.message, d, formatOf(p.html))
			lower := strings.ToLower(with)
			if !strings.Contains(with, "93.2 %") {
				t.Errorf("%s %s: no value in\n%s", p.name, kind, with)
			}
			if kind == "resolved" && !strings.Contains(lower, "value now") {
				t.Errorf("%s resolved: the value is not called the value now:\n%s", p.name, with)
			}
			if strings.Contains(strings.ToLower(without), "value") {
				t.Errorf("%s %s: a value line without a value:\n%s", p.name, kind, without)
			}
		}
	}
}
