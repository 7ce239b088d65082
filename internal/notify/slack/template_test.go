package slack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakeslack"
)

// renderWith renders m with the default templates and a logger.
func renderWith(t *testing.T, cfg *Config, m *notify.Message) (*content, []block, string) {
	t.Helper()
	var logs alerts.LogBuffer
	tmpl := alerts.Templates(t, alerts.StartsAt.Add(12*time.Minute), logs.Logger(), FS)
	r := &renderer{tmpl: tmpl, message: cfg.Message, channel: "ops"}
	c := r.render(m)
	blocks := buildBlocks(c, nil)
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if problems := fakeslack.CheckBlocks(raw); problems != nil {
		t.Errorf("Slack would refuse the blocks: %v", problems)
	}
	return c, blocks, logs.String()
}

func TestDefaultTemplates(t *testing.T) {
	t.Parallel()
	bare := amtemplate.KV{"alertname": "Bare"}
	other := amtemplate.KV{"alertname": "Load_High", "instance": "web&1", "severity": "info", "summary": "load is high"}
	tests := []struct {
		name   string
		m      *notify.Message
		title  string
		body   []string
		noBody []string
	}{
		{name: "firing", m: message(alert.KindFiring, nasty), title: "🔥 " + nasty["alertname"] + " · critical",
			body: []string{"&lt;!channel&gt;", "`instance=db_01:9100`", "started 12:00 UTC, firing for 12m"}},
		{name: "resolved", m: message(alert.KindResolved, nasty), title: "✅ RESOLVED: " + nasty["alertname"],
			body: []string{"resolved after 5m"}, noBody: []string{"firing for"}},
		{name: "reminder", m: message(alert.KindReminder, nasty), title: "🔁 still firing: " + nasty["alertname"],
			body: []string{"still firing after 12m on `db_01:9100`"}},
		{name: "bare alert", m: message(alert.KindFiring, bare), title: "🔔 Bare", body: []string{"started 12:00 UTC"}},
		{name: "list", m: message(alert.KindFiring, nasty, other), title: "🔥 2 alerts firing",
			body: []string{"*Disk &lt;90% &amp; \"low\"* `db_01:9100`", "ℹ️ *Load_High* `web&amp;1` — load is high"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, logs := renderWith(t, &Config{}, tt.m)
			if c.title != tt.title {
				t.Errorf("title %q, want %q", c.title, tt.title)
			}
			for _, want := range tt.body {
				if !strings.Contains(c.body, want) {
					t.Errorf("body lacks %q:\n%s", want, c.body)
				}
			}
			for _, not := range tt.noBody {
				if strings.Contains(c.body, not) {
					t.Errorf("body has %q:\n%s", not, c.body)
				}
			}
			if logs != "" || strings.Contains(c.body, "template failed") {
				t.Errorf("a template failed:\n%s\n%s", logs, c.body)
			}
			if c.context == "" || strings.Contains(c.context, "<!") {
				t.Errorf("context %q", c.context)
			}
		})
	}
}

func TestChannelTemplateKeepsItsOwnMarkup(t *testing.T) {
	t.Parallel()
	cfg := &Config{Message: `<!here> {{ .CommonLabels.team }} <https://wiki.example/x|wiki>`}
	c, _, _ := renderWith(t, cfg, message(alert.KindFiring, nasty))
	want := "<!here> &lt;!channel&gt; &lt;https:\u200b//evil.example|click&gt; <https://wiki.example/x|wiki>"
	if c.body != want {
		t.Errorf("body %q, want %q", c.body, want)
	}
}

// listed counts the alerts a list body names (one line each).
var listed = regexp.MustCompile(`(?m)^\S+ \*A\d+\*`)

func TestStormIsShortenedWithANote(t *testing.T) {
	t.Parallel()
	var ls []amtemplate.KV
	for i := range 300 {
		ls = append(ls, amtemplate.KV{"alertname": fmt.Sprintf("A%d", i), "instance": fmt.Sprintf("host-%03d.example:9100", i),
			"severity": "critical", "summary": strings.Repeat("disk almost full & <growing> ", 3)})
	}
	m := message(alert.KindFiring, ls...)
	c, blocks, _ := renderWith(t, &Config{}, m)
	if textLen(c.body) > maxBodyText || c.omitted == 0 {
		t.Fatalf("body of %d units, omitted %d", textLen(c.body), c.omitted)
	}
	shown := len(listed.FindAllString(c.body, -1))
	if shown+c.omitted != 300 {
		t.Errorf("%d shown + %d omitted != 300 alerts", shown, c.omitted)
	}
	if c.title != "🔥 300 alerts firing" {
		t.Errorf("title %q must count every alert", c.title)
	}
	var all strings.Builder
	for _, b := range blocks {
		if b.Type == "section" {
			all.WriteString(b.Text.Text + "\n")
		}
	}
	if !strings.Contains(all.String(), "_… "+strconv.Itoa(c.omitted)+" more alerts_") {
		t.Errorf("no visible note about the %d alerts left out", c.omitted)
	}
}

func TestHugeSingleAlertIsCut(t *testing.T) {
	t.Parallel()
	a := amtemplate.KV{"alertname": "Huge", "severity": "warning"}
	m := message(alert.KindFiring, a)
	m.Data.Alerts[0].Annotations["description"] = strings.Repeat("a very long description line\n", 1000)
	cfg := &Config{Message: `{{ range .Alerts }}{{ .Annotations.description }}{{ end }}`}
	c, _, _ := renderWith(t, cfg, m)
	if textLen(c.body) > maxBodyText || !strings.HasSuffix(c.body, "…") || c.omitted != 0 {
		t.Errorf("body of %d units ending %q", textLen(c.body), c.body[len(c.body)-10:])
	}
}

func TestFitBodyBisects(t *testing.T) {
	t.Parallel()
	// A render whose length grows with the alerts: 100 units each.
	render := func(d *template.Data) string { return strings.Repeat(strings.Repeat("x", 99)+"\n", len(d.Alerts)) }
	d := &template.Data{}
	d.Alerts = make(amtemplate.Alerts, 500)
	body, omitted := fitBody(render, d)
	want := (maxBodyText - moreAlertsRoom) / 100
	if omitted != 500-want || textLen(body) != want*100 {
		t.Errorf("kept %d units, omitted %d; want %d alerts kept", textLen(body), omitted, want)
	}
}
