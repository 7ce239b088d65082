package mattermost

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakemattermost"
)

// TestPayload sends typical messages and checks the attachment each gives.
func TestPayload(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		msg   func() *notify.Message
		edit  func(*Config)
		check func(t *testing.T, p fakemattermost.Post)
	}{
		{"firing with chart", func() *notify.Message {
			return withChart(message(alert.KindFiring, hostDown), "https://herald.example/images/1.png")
		}, nil, func(t *testing.T, p fakemattermost.Post) {
			a := p.Attachments[0]
			if a.Color != colorCritical || a.Title != "🔥 FIRING: HostDown · db-1:9100" || a.Fallback != a.Title {
				t.Errorf("colour %q, title %q, fallback %q", a.Color, a.Title, a.Fallback)
			}
			if a.TitleLink != "http://prometheus:9090/graph?g0.expr=up&g0.tab=1" || a.ImageURL != "https://herald.example/images/1.png" {
				t.Errorf("title link %q, image %q", a.TitleLink, a.ImageURL)
			}
			if !strings.Contains(a.Text, "**db-1 is down**") || !strings.Contains(a.Text, "firing for 12m") {
				t.Errorf("text %q", a.Text)
			}
			want := []string{"Severity=critical", "Instance=db-1:9100", "Job=node", "Value=93.2 %",
				"Links=[Source](http://prometheus:9090/graph?g0.expr=up&g0.tab=1) · [Silence](http://alertmanager:9093/#/silences/new?filter=%7Balertname%3D%22HostDown%22%2Cinstance%3D%22db-1%3A9100%22%2Cjob%3D%22node%22%2Cseverity%3D%22critical%22%2Csummary%3D%22db-1%20is%20down%22%7D) · [Runbook](https://runbooks.example/HostDown)"}
			if got := fields(a); !slices.Equal(got, want) {
				t.Errorf("fields\n got %q\nwant %q", got, want)
			}
			if !strings.Contains(p.Card, "| instance | db-1:9100 |") || p.Channel != "town-square" {
				t.Errorf("card %q, channel %q", p.Card, p.Channel)
			}
		}},
		{"resolved", func() *notify.Message {
			return withChart(message(alert.KindResolved, hostDown), "https://herald.example/images/2.png")
		}, nil, func(t *testing.T, p fakemattermost.Post) {
			a := p.Attachments[0]
			if a.Color != colorResolved || !strings.HasPrefix(a.Title, "✅ RESOLVED: HostDown") || !strings.Contains(a.Text, "resolved after 5m") {
				t.Errorf("colour %q, title %q, text %q", a.Color, a.Title, a.Text)
			}
			if f := fields(a); !slices.Contains(f, "Value now=93.2 %") || strings.Contains(strings.Join(f, " "), "Silence") {
				t.Errorf("fields %q: want the value now and no silence link", f)
			}
		}},
		{"warning without chart URL", func() *notify.Message {
			l := hostDown.Remove([]string{"severity"})
			l["severity"] = "warning"
			return withChart(message(alert.KindFiring, l), "")
		}, nil, func(t *testing.T, p fakemattermost.Post) {
			if a := p.Attachments[0]; a.Color != colorWarning || a.ImageURL != "" {
				t.Errorf("colour %q, image %q", a.Color, a.ImageURL)
			}
		}},
		{"reminder", func() *notify.Message {
			return withChart(message(alert.KindReminder, hostDown), "https://herald.example/images/3.png")
		}, nil, func(t *testing.T, p fakemattermost.Post) {
			if a := p.Attachments[0]; !strings.HasPrefix(a.Title, "🔁 STILL FIRING") || a.ImageURL != "" || !strings.Contains(a.Text, "still firing for 12m") {
				t.Errorf("title %q, image %q, text %q", a.Title, a.ImageURL, a.Text)
			}
		}},
		{"folded list", func() *notify.Message {
			return message(alert.KindFiring, hostDown, amtemplate.KV{"alertname": "DiskFull", "instance": "db-2", "severity": "info"})
		}, nil, func(t *testing.T, p fakemattermost.Post) {
			a := p.Attachments[0]
			if a.Color != colorCritical || a.Title != "🔥 2 alerts firing" || a.TitleLink != "http://alertmanager:9093/#/alerts" {
				t.Errorf("colour %q, title %q, link %q", a.Color, a.Title, a.TitleLink)
			}
			if !strings.Contains(a.Text, "- 🔥 **HostDown** · db-1:9100 — db-1 is down") || !strings.Contains(a.Text, "**DiskFull**") {
				t.Errorf("text %q", a.Text)
			}
			if want := []string{"Alerts=2", "Links=[Alertmanager](http://alertmanager:9093/#/alerts)"}; !slices.Equal(fields(a), want) {
				t.Errorf("fields %q", fields(a))
			}
		}},
		{"overrides and templates", func() *notify.Message { return message(alert.KindFiring, hostDown) },
			func(c *Config) {
				c.Channel, c.Username, c.IconEmoji = "ops", "Herald", "rotating_light"
				c.Title, c.Message = `{{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}`, `custom {{ .CommonLabels.job }}`
			}, func(t *testing.T, p fakemattermost.Post) {
				a := p.Attachments[0]
				if p.Channel != "ops" || p.Username != "Herald" || p.IconEmoji != "rotating_light" || a.Title != "HostDown on db-1:9100" || a.Text != "custom node" {
					t.Errorf("post %+v", p)
				}
				var raw map[string]any
				if err := json.Unmarshal(p.Raw, &raw); err != nil || raw["icon_url"] != nil || raw["text"] != nil {
					t.Errorf("empty keys are sent: %s", p.Raw)
				}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, unlimited)
			n := newNotifier(t, hookConfig(fake, tt.edit), nil)
			refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), tt.msg())
			if err != nil || retry || len(refs) != 1 || refs[0].Part != 0 {
				t.Fatalf("Notify: %v %v %v", refs, retry, err)
			}
			posts := fake.Posts()
			if len(posts) != 1 || len(posts[0].Attachments) != 1 {
				t.Fatalf("posts %+v", posts)
			}
			tt.check(t, posts[0])
		})
	}
}

// fields are an attachment's fields as "title=value".
func fields(a fakemattermost.Attachment) []string {
	var out []string
	for _, f := range a.Fields {
		out = append(out, f.Title+"="+f.Value.(string))
	}
	return out
}

// A text longer than a post goes as several posts, cut at line breaks and
// never inside markup; a retry resumes after the parts sent.
func TestSplitting(t *testing.T) {
	t.Parallel()
	fake := fakemattermost.New(t, fakemattermost.Config{MaxPostSize: 1000, Limits: unlimited})
	cfg := hookConfig(fake, func(c *Config) {
		c.MaxPostSize = 1000
		c.Message = `{{ range .Alerts }}- [{{ .Labels.alertname }}]({{ .GeneratorURL }}) &amp; **{{ .Labels.instance }}**
{{ end }}`
	})
	var labels []amtemplate.KV
	for i := range 60 {
		labels = append(labels, amtemplate.KV{"alertname": "Alert*" + strings.Repeat("x", i%7), "instance": "host-" + string(rune('a'+i%26))})
	}
	m := message(alert.KindFiring, labels...)
	n := newNotifier(t, cfg, nil)
	posts := n.buildPosts(n.render(m))
	if len(posts) < 3 {
		t.Fatalf("%d posts", len(posts))
	}
	for i, p := range posts {
		a := p.Attachments[0]
		if runes(a.Text) > 1000 || strings.Count(a.Text, "](") != strings.Count(a.Text, "- [") || strings.Count(a.Text, "**")%2 != 0 {
			t.Errorf("part %d cut inside markup (%d runes):\n%s", i, runes(a.Text), a.Text)
		}
		if !strings.HasSuffix(a.Title, ")") || (i == 0) != (p.Props != nil) || (i == 0) != (a.Fields != nil) {
			t.Errorf("part %d: title %q, card %v, fields %v", i, a.Title, p.Props != nil, a.Fields)
		}
	}
	ctx := alerts.Context(t, 5*time.Second)
	sent := 0
	for attempt := 0; sent < len(posts) && attempt < 3; attempt++ {
		if attempt == 0 { // the third post fails: the first two are reported sent
			fake.FailNext(2, fakemattermost.FaultNone)
			fake.FailNext(1, fakemattermost.FaultInternal)
		}
		m.SentParts = sent
		refs, retry, err := n.Notify(ctx, m)
		for i, r := range refs {
			if r.Part != sent+i || !r.Folded {
				t.Errorf("ref %+v after %d sent", r, sent)
			}
		}
		sent += len(refs)
		if attempt == 0 && (err == nil || !retry || sent != 2) {
			t.Fatalf("first attempt: %d sent, %v %v", sent, retry, err)
		}
	}
	got := fake.Posts()
	if sent != len(posts) || len(got) != len(posts) {
		t.Fatalf("%d parts sent, %d posts, want %d", sent, len(got), len(posts))
	}
	var all strings.Builder
	for _, p := range got {
		all.WriteString(p.Attachments[0].Text + "\n")
	}
	if c := strings.Count(all.String(), "- [Alert"); c != 60 {
		t.Errorf("%d alerts across the posts, want 60", c)
	}
	m.SentParts = sent
	if refs, _, err := n.Notify(ctx, m); err != nil || len(refs) != 0 || len(fake.Posts()) != len(posts) {
		t.Errorf("everything was sent, yet %v %v", refs, err)
	}
}

// split keeps code blocks whole and never cuts an escape or an entity.
func TestSplit(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("a \\* b &lt; c ", 40) + "\n```\n" + strings.Repeat("code line\n", 80) + "```\nend"
	parts := split(text, 200)
	for i, p := range parts {
		if runes(p) > 200 || strings.Count(p, "```")%2 != 0 || strings.HasSuffix(p, "\\") || strings.HasSuffix(p, "&lt") {
			t.Errorf("part %d (%d runes): %q", i, runes(p), p)
		}
	}
	if joined := strings.Join(parts, "\n"); strings.Count(joined, "code line") != 80 || !strings.HasSuffix(joined, "end") {
		t.Errorf("lost text: %q", joined)
	}
	if s := shorten("see the [link](http://x/"+strings.Repeat("y", 50)+") tail", 20); s != "see the…" {
		t.Errorf("shorten cut a link: %q", s)
	}
}

// Mattermost's errors are classified and never show the key; a 429 is a
// RateLimitError with the wait the headers give, and the limiter pauses.
func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		plan      func(f *fakemattermost.Server)
		edit      func(*Config)
		retry     bool
		want      string
		rateLimit time.Duration
	}{
		{"bad channel", nil, func(c *Config) { c.Channel = "nowhere" }, false,
			"mattermost incoming webhook: HTTP 404 web.incoming_webhook.channel.app_error: Couldn't find the channel.", 0},
		{"disabled", func(f *fakemattermost.Server) {
			f.FailWith(http.StatusNotImplemented, "web.incoming_webhook.disabled.app_error", "Incoming webhooks have been disabled by the system admin.", 1)
		}, nil, true, "HTTP 501 web.incoming_webhook.disabled.app_error", 0},
		{"internal", func(f *fakemattermost.Server) { f.FailNext(1, fakemattermost.FaultInternal) }, nil, true, "HTTP 500", 0},
		{"proxy", func(f *fakemattermost.Server) { f.FailNext(1, fakemattermost.FaultBadGateway) }, nil, true, "HTTP 502", 0},
		{"not ok", func(f *fakemattermost.Server) { f.FailNext(1, fakemattermost.FaultNotOK) }, nil, true, "HTTP 200 without Mattermost's answer", 0},
		{"reset", func(f *fakemattermost.Server) { f.FailNext(1, fakemattermost.FaultReset) }, nil, true, "mattermost incoming webhook: ", 0},
		{"wrong key", nil, func(c *Config) { c.URL = c.URL[:strings.LastIndex(string(c.URL), "/")+1] + "wrongkey123" }, false,
			"HTTP 400 web.incoming_webhook.invalid.app_error: Invalid webhook.", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, unlimited)
			if tt.plan != nil {
				tt.plan(fake)
			}
			var logs alerts.LogBuffer
			n := newNotifier(t, hookConfig(fake, tt.edit), logs.Logger())
			refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, hostDown))
			if err == nil || retry != tt.retry || len(refs) != 0 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Notify: %v %v %v, want retry %v and %q", refs, retry, err, tt.retry, tt.want)
			}
			checkNoSecret(t, fake, err, logs.String())
		})
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakemattermost.Limits{PerSec: 0.5, MaxBurst: 1})
	var logs alerts.LogBuffer
	limiter := NewLimiter()
	n := newNotifier(t, hookConfig(fake, nil), logs.Logger(), WithLimiter(limiter))
	ctx := alerts.Context(t, 5*time.Second)
	// Two posts fit the burst; the second answer says none is left, so
	// Herald pauses the server rather than be refused.
	for range 2 {
		if _, _, err := n.Notify(ctx, message(alert.KindFiring, hostDown)); err != nil {
			t.Fatal(err)
		}
	}
	if p := limiter.Paused(n.origin); p <= 0 {
		t.Errorf("not paused after the allowance was spent")
	}
	// Another channel on the same server shares the pause, and one that
	// ignores it gets the 429 with its wait.
	other := newNotifier(t, hookConfig(fake, nil), logs.Logger())
	_, retry, err := other.Notify(ctx, message(alert.KindFiring, hostDown))
	rl, ok := errors.AsType[*notify.RateLimitError](err)
	if !ok || !retry || rl.RetryAfter != 2*time.Second {
		t.Fatalf("want a RateLimitError of 2s, got %v %v", retry, err)
	}
	if st := fake.Stats(); st.TooManyRequests != 1 || st.OK != 2 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(logs.String(), "too many requests") {
		t.Errorf("no warning about the 429:\n%s", logs.String())
	}
	// With the pause longer than the delivery may take, nothing is sent.
	short := alerts.Context(t, 100*time.Millisecond)
	shared := newNotifier(t, hookConfig(fake, nil), nil, WithLimiter(limiter))
	if _, retry, err := shared.Notify(short, message(alert.KindFiring, hostDown)); !retry || !isThrottled(err) {
		t.Errorf("paused: %v %v", retry, err)
	}
	checkNoSecret(t, fake, err, logs.String())
}

func isThrottled(err error) bool {
	_, ok := errors.AsType[*notify.ThrottledError](err)
	return ok
}

// No secret reaches a log line, even at debug level, nor String.
func TestNoSecretInLogs(t *testing.T) {
	t.Parallel()
	fake := newFake(t, unlimited)
	var logs alerts.LogBuffer
	n := newNotifier(t, hookConfig(fake, nil), logs.Logger())
	_, _, err := n.Notify(alerts.Context(t, 5*time.Second), withChart(message(alert.KindFiring, hostDown), ""))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = logs.Write([]byte(n.String()))
	checkNoSecret(t, fake, err, logs.String())
	if !strings.Contains(logs.String(), "external_url") || !strings.Contains(logs.String(), "level=DEBUG") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
