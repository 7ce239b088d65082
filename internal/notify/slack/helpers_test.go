package slack

import (
	"bytes"
	goimage "image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakeslack"
)

// The channels of newFake.
const (
	opsChannel      = "C0OPS0001"
	devChannel      = "C0DEV0002"
	outsideChannel  = "C0OUT0003" // the app is not a member
	archivedChannel = "C0ARC0004"
)

// newFake starts a fake Slack whose incoming webhook posts to ops.
func newFake(t *testing.T, limits fakeslack.Limits) *fakeslack.Server {
	return fakeslack.New(t, fakeslack.Config{Limits: limits, Channels: []fakeslack.Channel{
		{ID: opsChannel, Name: "ops"},
		{ID: devChannel, Name: "dev"},
		{ID: outsideChannel, Name: "outside", NotMember: true},
		{ID: archivedChannel, Name: "old", Archived: true},
	}})
}

// unlimited are fake limits that never refuse.
var unlimited = fakeslack.Limits{Unlimited: true}

// fastRates are Herald rates that do not slow a test down.
func fastRates() rates {
	return rates{
		perChannel: notify.Rate{Events: 1000, Per: time.Second, Burst: 1000},
		tier3:      notify.Rate{Events: 1000, Per: time.Second, Burst: 1000},
		tier4:      notify.Rate{Events: 1000, Per: time.Second, Burst: 1000},
	}
}

// mustTemplates are Herald's templates with their clock twelve minutes
// after the alerts started.
func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	tmpl, err := templates()
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// templates are parsed once for the package: they are safe for concurrent
// use and no test changes them, and parsing them for every notifier was
// most of the tests' time.
var templates = sync.OnceValues(func() (*template.Templates, error) {
	tmpl, err := template.New(nil, nil, FS)
	if err == nil {
		tmpl.SetClock(func() time.Time { return alerts.StartsAt.Add(12 * time.Minute) })
	}
	return tmpl, err
})

// hookNotifier posts to fake's incoming webhook with a client of its own
// and the allowances r.
func hookNotifier(t *testing.T, fake *fakeslack.Server, r rates, logger *slog.Logger) *Notifier {
	t.Helper()
	n, err := New("ops", mustHookConfig(fake), nil, mustTemplates(t), logger, withRates(r))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// botNotifier posts to channel of fake with the bot token, a client of its
// own and the allowances r.
func botNotifier(t *testing.T, fake *fakeslack.Server, channel string, r rates, logger *slog.Logger) *Notifier {
	t.Helper()
	cfg := &Config{BotToken: config.Secret(fake.Token()), Channel: channel, APIURL: fake.URL()}
	n, err := New("ops", cfg, nil, mustTemplates(t), logger, withRates(r))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// message is an event for alerts with the given label sets, folded when
// there are several; each alert's summary is its "summary" label and its
// runbook is named after it.
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	m := alerts.Event(kind, labels, alerts.CopySummary(), withRunbook,
		alerts.GeneratorURL("http://prometheus:9090/graph?g0.expr=up&g0.tab=1"))
	m.Folded = len(labels) > 1
	return m
}

// withRunbook links an alert to the runbook of its name (after
// CopySummary, which gave it annotations of its own).
func withRunbook(a *amtemplate.Alert) {
	a.Annotations["runbook_url"] = "https://runbooks.example/" + url.PathEscape(a.Labels["alertname"])
}

// chartPNG is a small valid PNG.
func chartPNG(t *testing.T) []byte {
	t.Helper()
	img := goimage.NewRGBA(goimage.Rect(0, 0, 40, 20))
	for x := range 40 {
		img.Set(x, x/2, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withChart gives m a chart (and its URL when url is set).
func withChart(t *testing.T, m *notify.Message, url string) *notify.Message {
	m.Image = &notify.Image{PNG: chartPNG(t), Width: 40, Height: 20, Alt: "HostDown db-1:9100", URL: url}
	return m
}

// nasty has label values with Slack's control characters, a mention, a
// link, mrkdwn marks, emoji and non-Latin text.
var nasty = amtemplate.KV{
	"alertname": `Disk <90% & "low"`,
	"instance":  "db_01:9100",
	"severity":  "critical",
	"team":      "<!channel> <https://evil.example|click>",
	"summary":   "🔥 磁盘空间不足 on *db_01* <@U123> & more",
}

// checkNoSecret fails when the webhook URL, its secret path or the token
// appear in err or logs.
func checkNoSecret(t *testing.T, fake *fakeslack.Server, err error, logs string) {
	t.Helper()
	hook := fake.WebhookURL()
	secrets := []string{hook, hook[strings.LastIndex(hook, "/")+1:], fake.Token()}
	for _, s := range secrets {
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error leaks a secret: %v", err)
		}
		if strings.Contains(logs, s) {
			t.Errorf("log leaks a secret:\n%s", logs)
		}
	}
}

// newPlainServer answers every request with status and body; it returns
// its URL.
func newPlainServer(t *testing.T, status int, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// mustHookConfig is the config of a channel on fake's incoming webhook.
func mustHookConfig(fake *fakeslack.Server) *Config {
	return &Config{WebhookURL: config.Secret(fake.WebhookURL())}
}
