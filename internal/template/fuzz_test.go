package template

import (
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// FuzzExecute feeds arbitrary label and annotation values through the
// default templates: they must never panic, never fall back (a fallback
// means a default template broke on some input), never return an empty
// message, and in html mode every line must be self-contained, valid
// Telegram HTML.
func FuzzExecute(f *testing.F) {
	f.Add("HostDown", "node-1:9100", "critical", "summary <b>", "desc\nline & more", "team", `"a"&'b'`, "http://prom/graph?g0.expr=up+%3D%3D+0", uint8(0), false)
	f.Add("", "", "", "", "", "", "", "", uint8(1), true)
	f.Add("東京\nсервер", "\x00\xff", "WARNING", "_*[`~", "<script>alert(1)</script>", "label.with.dots", "🔥\r\n", "javascript:alert(1)", uint8(2), false)
	f.Add("a</b>", "<code>", "info", "&amp;", "&#0;", "alertname", "x\u2028y", "https://[::1]:80/%zz", uint8(3), true)

	tm, logs := newTestTemplates(f)
	f.Fuzz(func(t *testing.T, name, instance, severity, summary, description, key, value, link string, kind uint8, folded bool) {
		a := amtemplate.Alert{
			Status:       "firing",
			Labels:       amtemplate.KV{"alertname": name, "instance": instance, "severity": severity, key: value},
			Annotations:  amtemplate.KV{"summary": summary, "description": description, "runbook_url": link, key: value},
			StartsAt:     testNow.Add(-time.Duration(kind) * time.Minute),
			GeneratorURL: link,
		}
		alerts := []amtemplate.Alert{a}
		if folded {
			alerts = append(alerts, resolvedAlert(a), a)
		}
		k := []string{"firing", "resolved", "reminder", ""}[kind%4]
		if k == "resolved" {
			alerts[0] = resolvedAlert(a)
		}
		d := NewData(&amtemplate.Data{Status: "firing", Alerts: alerts, ExternalURL: link}, k, folded, "fuzz")

		for _, html := range []bool{true, false} {
			body := DefaultConsoleMessage
			if html {
				body = DefaultTelegramMessage
			}
			out := tm.Execute(body, body, d, formatOf(html))
			if strings.TrimSpace(out) == "" {
				t.Fatalf("html=%v: empty message", html)
			}
			if s := logs.String(); s != "" {
				t.Fatalf("html=%v: the default template failed:\n%s", html, s)
			}
			if !html {
				continue
			}
			for i, line := range strings.Split(out, "\n") {
				if err := checkStrictHTML(line); err != nil {
					t.Fatalf("line %d %q: %v\nmessage:\n%s", i+1, line, err, out)
				}
			}
			if err := CheckTelegramHTML(out); err != nil {
				t.Fatal(err)
			}
		}
	})
}
