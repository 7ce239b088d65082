package template

import (
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tz function must not depend on the host's zoneinfo

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/testutil"
)

// testNow is the fixed clock of every test: 12 minutes after the alert of
// the real webhook payload started.
var testNow = time.Date(2026, 11, 21, 4, 21, 42, 0, time.UTC)

func newTestTemplates(t testing.TB, files ...string) (*Templates, *testutil.Buffer) {
	t.Helper()
	logs := &testutil.Buffer{}
	tm, err := New(files, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tm.SetClock(func() time.Time { return testNow })
	return tm, logs
}

// nastyAlert has label and annotation values with everything that needs
// escaping in HTML or Markdown, and non-Latin text.
func nastyAlert() amtemplate.Alert {
	return amtemplate.Alert{
		Status: "firing",
		Labels: amtemplate.KV{
			"alertname": `Disk<Full>&"x"`, "severity": "critical", "instance": "db_1*prod",
			"team": "Ops & <Dev>", "city": "東京", "host": "сервер-1", "mood": "🔥",
		},
		Annotations: amtemplate.KV{
			"summary":     "Disk <script> is 'full' + more",
			"description": "line1\nline2 & more\n",
			"runbook_url": "https://runbooks.example/disk?x=1&y=2",
		},
		StartsAt:     testNow.Add(-12 * time.Minute),
		GeneratorURL: "http://prom:9090/graph?g0.expr=a+%3C+b&g0.tab=1",
	}
}

func resolvedAlert(a amtemplate.Alert) amtemplate.Alert {
	a.Status = "resolved"
	a.EndsAt = testNow.Add(-2 * time.Minute)
	return a
}

func testData(kind string, folded bool, alerts ...amtemplate.Alert) *Data {
	return NewData(&amtemplate.Data{Status: "firing", Alerts: alerts, ExternalURL: "http://am:9093/"}, kind, folded, "ops")
}

const silenceLink = `http://am:9093/#/silences/new?filter=%7Balertname%3D%22Disk%3CFull%3E%26%5C%22x%5C%22%22%2Ccity%3D%22%E6%9D%B1%E4%BA%AC%22%2Chost%3D%22%D1%81%D0%B5%D1%80%D0%B2%D0%B5%D1%80-1%22%2Cinstance%3D%22db_1%2Aprod%22%2Cmood%3D%22%F0%9F%94%A5%22%2Cseverity%3D%22critical%22%2Cteam%3D%22Ops%20%26%20%3CDev%3E%22%7D`

func TestDefaultTemplates(t *testing.T) {
	tm, logs := newTestTemplates(t)
	other := amtemplate.Alert{Status: "firing", Labels: amtemplate.KV{"alertname": "Other", "severity": "warning", "pod": "web-1"}, StartsAt: testNow}
	tests := []struct {
		name string
		data *Data
		html string
		text string
	}{
		{
			name: "firing",
			data: testData("firing", false, nastyAlert()),
			html: `🔥 <b>Disk&lt;Full&gt;&amp;&#34;x&#34;</b> · critical
Disk &lt;script&gt; is &#39;full&#39; &#43; more
line1
line2 &amp; more
<code>city=東京</code> <code>host=сервер-1</code> <code>instance=db_1*prod</code> <code>mood=🔥</code> <code>team=Ops &amp; &lt;Dev&gt;</code>
started 04:09 UTC, firing for 12m
<a href="http://prom:9090/graph?g0.expr=a&#43;%3C&#43;b&amp;g0.tab=1">Source</a> · <a href="` + silenceLink + `">Silence</a> · <a href="https://runbooks.example/disk?x=1&amp;y=2">Runbook</a>`,
			text: `[FIRING] Disk<Full>&"x" (critical)
Disk <script> is 'full' + more
line1
line2 & more
labels: city="東京" host="сервер-1" instance="db_1*prod" mood="🔥" team="Ops & <Dev>"
started 04:09 UTC, firing for 12m
source: http://prom:9090/graph?g0.expr=a+%3C+b&g0.tab=1
silence: ` + silenceLink + `
runbook: https://runbooks.example/disk?x=1&y=2`,
		},
		{
			name: "resolved",
			data: testData("resolved", false, resolvedAlert(nastyAlert())),
			html: `✅ RESOLVED <b>Disk&lt;Full&gt;&amp;&#34;x&#34;</b> · critical
Disk &lt;script&gt; is &#39;full&#39; &#43; more
line1
line2 &amp; more
<code>city=東京</code> <code>host=сервер-1</code> <code>instance=db_1*prod</code> <code>mood=🔥</code> <code>team=Ops &amp; &lt;Dev&gt;</code>
started 04:09 UTC, resolved after 10m
<a href="http://prom:9090/graph?g0.expr=a&#43;%3C&#43;b&amp;g0.tab=1">Source</a> · <a href="https://runbooks.example/disk?x=1&amp;y=2">Runbook</a>`,
			text: `[RESOLVED] Disk<Full>&"x" (critical)
Disk <script> is 'full' + more
line1
line2 & more
labels: city="東京" host="сервер-1" instance="db_1*prod" mood="🔥" team="Ops & <Dev>"
started 04:09 UTC, resolved after 10m
source: http://prom:9090/graph?g0.expr=a+%3C+b&g0.tab=1
runbook: https://runbooks.example/disk?x=1&y=2`,
		},
		{
			name: "reminder",
			data: testData("reminder", false, nastyAlert()),
			html: `🔁 still firing for 12m: <b>Disk&lt;Full&gt;&amp;&#34;x&#34;</b> db_1*prod
Disk &lt;script&gt; is &#39;full&#39; &#43; more`,
			text: `[REMINDER] still firing for 12m: Disk<Full>&"x" db_1*prod
Disk <script> is 'full' + more`,
		},
		{
			name: "folded",
			data: testData("firing", true, nastyAlert(), other, resolvedAlert(nastyAlert())),
			html: `🔥 2 alerts firing, ✅ 1 resolved
🔥 <b>Disk&lt;Full&gt;&amp;&#34;x&#34;</b> db_1*prod — Disk &lt;script&gt; is &#39;full&#39; &#43; more
⚠️ <b>Other</b> web-1
✅ <b>Disk&lt;Full&gt;&amp;&#34;x&#34;</b> db_1*prod — Disk &lt;script&gt; is &#39;full&#39; &#43; more
<a href="http://am:9093/#/alerts">Alertmanager</a>`,
			text: `🔥 2 alerts firing, ✅ 1 resolved
- [firing] Disk<Full>&"x" db_1*prod — Disk <script> is 'full' + more
- [firing] Other web-1
- [resolved] Disk<Full>&"x" db_1*prod — Disk <script> is 'full' + more
alertmanager: http://am:9093/#/alerts`,
		},
		{
			name: "several alerts, not folded, reminder",
			data: testData("reminder", false, other, other),
			html: "🔁 2 alerts still firing\n⚠️ <b>Other</b> web-1\n⚠️ <b>Other</b> web-1\n<a href=\"http://am:9093/#/alerts\">Alertmanager</a>",
			text: "🔁 2 alerts still firing\n- [firing] Other web-1\n- [firing] Other web-1\nalertmanager: http://am:9093/#/alerts",
		},
		{
			name: "no alerts",
			data: NewData(&amtemplate.Data{Status: "firing"}, "", false, "ops"),
			html: "🔔 notification without alerts",
			text: "🔔 notification without alerts",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			html := tm.Execute(DefaultTelegramMessage, "", tc.data, TelegramHTML)
			if html != tc.html {
				t.Errorf("telegram.herald.message:\ngot:\n%s\nwant:\n%s", html, tc.html)
			}
			for i, line := range strings.Split(html, "\n") {
				if err := checkStrictHTML(line); err != nil {
					t.Errorf("line %d %q is not self-contained Telegram HTML: %v", i+1, line, err)
				}
			}
			if text := tm.Execute(DefaultConsoleMessage, "", tc.data, Text); text != tc.text {
				t.Errorf("console.herald.message:\ngot:\n%s\nwant:\n%s", text, tc.text)
			}
		})
	}
	if s := logs.String(); s != "" {
		t.Errorf("default templates logged:\n%s", s)
	}
}

// A folded storm names every alert: the notifier splits, nothing is cut.
func TestStormListsEveryAlert(t *testing.T) {
	tm, _ := newTestTemplates(t)
	alerts := make([]amtemplate.Alert, 45)
	for i := range alerts {
		alerts[i] = nastyAlert()
	}
	for _, html := range []bool{true, false} {
		out := tm.Execute(DefaultTelegramMessage, "", testData("firing", true, alerts...), formatOf(html))
		lines := strings.Split(out, "\n")
		if lines[0] != "🔥 45 alerts firing" || len(lines) != 1+45+1 || strings.Contains(out, "… and") {
			t.Errorf("html=%v: got %d lines, header %q", html, len(lines), lines[0])
		}
	}
}

// TestRealPayload renders the webhook body Alertmanager 0.25 sent.
func TestRealPayload(t *testing.T) {
	body, err := os.ReadFile("testdata/alertmanager-0.25-webhook-firing.json")
	if err != nil {
		t.Fatal(err)
	}
	n, err := alert.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	tm, logs := newTestTemplates(t)
	d := NewData(&n.Data, "", false, "ops")
	if d.Kind != "firing" {
		t.Errorf("Kind from status = %q, want firing", d.Kind)
	}
	want := `🔥 <b>HostMemoryLow</b> · critical
<code>instance=node-2.example:9100</code> <code>job=node</code>
started 04:09 UTC, firing for 12m
<a href="http://prometheus.example:9090/graph?g0.expr=%28node_memory_MemAvailable_bytes&#43;%2F&#43;node_memory_MemTotal_bytes&#43;%2A&#43;100%29&#43;%3C&#43;101&amp;g0.tab=1">Source</a> · <a href="http://alertmanager.example:9093/#/silences/new?filter=%7Balertname%3D%22HostMemoryLow%22%2Cinstance%3D%22node-2.example%3A9100%22%2Cjob%3D%22node%22%2Cseverity%3D%22critical%22%7D">Silence</a>`
	if got := tm.Execute(DefaultTelegramMessage, "", d, TelegramHTML); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Alertmanager's own default Telegram template works in both modes.
	for _, html := range []bool{true, false} {
		got := tm.Execute(`{{ template "telegram.default.message" . }}`, "", d, formatOf(html))
		if !strings.Contains(got, "Alerts Firing:") || !strings.Contains(got, "node-2.example:9100") {
			t.Errorf("telegram.default.message (html=%v):\n%s", html, got)
		}
	}
	if s := logs.String(); s != "" {
		t.Errorf("logged:\n%s", s)
	}
}

func TestAlertmanagerUserTemplate(t *testing.T) {
	tm, logs := newTestTemplates(t, "testdata/*.tmpl.missing", "testdata/alertmanager.tmpl")
	if !strings.Contains(logs.String(), "matches no file") {
		t.Errorf("an unmatched pattern was not reported: %q", logs.String())
	}
	a := nastyAlert()
	a.Labels["instance"] = "node-1:9100"
	d := testData("firing", false, a)
	d.CommonLabels = amtemplate.KV{"alertname": "Disk<Full>", "severity": "critical"}
	want := "[FIRING:1] Disk&lt;Full&gt;\n- node-1 since 05:09 CET on 2026-11-21\nseverity Critical, repeat every 1h 0m 0s"
	if got := tm.Execute(`{{ template "telegram.custom.message" . }}`, DefaultTelegramMessage, d, TelegramHTML); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// A user file may redefine a default template.
	if got := tm.Execute(DefaultConsoleMessage, "", d, Text); got != "custom console: Disk<Full>" {
		t.Errorf("redefined console.herald.message: %q", got)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct{ pattern, want string }{
		{"testdata/invalid-syntax.tmpl", "parse template file: template: testdata/invalid-syntax.tmpl:2: unexpected \"}\" in operand"},
		{"testdata/[", `template files "testdata/[": syntax error in pattern`},
	} {
		_, err := New([]string{tc.pattern}, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%q) error = %v, want %q", tc.pattern, err, tc.want)
		}
	}
}

func TestNewData(t *testing.T) {
	am := &amtemplate.Data{Status: "resolved", ExternalURL: "http://am"}
	d := NewData(am, "", true, "ops")
	if d.Kind != "resolved" || !d.Folded || d.Channel != "ops" || d.ExternalURL != "http://am" {
		t.Errorf("NewData = %+v", d)
	}
	if d := NewData(nil, "reminder", false, "x"); d.Kind != "reminder" || d.Alerts != nil {
		t.Errorf("NewData(nil) = %+v", d)
	}
}
