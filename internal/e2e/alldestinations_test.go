package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
	"github.com/heraldhq/herald/internal/testutil/fakefeishu"
	"github.com/heraldhq/herald/internal/testutil/fakemattermost"
	"github.com/heraldhq/herald/internal/testutil/fakeslack"
	"github.com/heraldhq/herald/internal/testutil/faketeams"
	"github.com/heraldhq/herald/internal/testutil/fakewecom"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// webhookSink records the outgoing webhook's posts.
type webhookSink struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.mu.Unlock()
}

func (s *webhookSink) all() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

// fetchChart follows a hosted chart link and checks it is the chart.
func fetchChart(t *testing.T, what, link string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatalf("%s chart link: %v", what, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("%s chart link %s: %d %s", what, link, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkPNG(t, what, b)
}

func checkPNG(t *testing.T, what string, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != 1200 {
		t.Fatalf("%s chart: %v", what, err)
	}
}

// The same alert, routed to every chat platform and the outgoing webhook, arrives at each fake with
// its chart: uploaded where the platform takes files, by a working signed
// link where it takes URLs.
func TestSameAlertToEveryPlatform(t *testing.T) {
	ding := fakedingtalk.New(t, fakedingtalk.Config{})
	wecom := fakewecom.New(t, fakewecom.Config{})
	teams := faketeams.New(t, faketeams.Config{})
	slack := fakeslack.New(t, fakeslack.Config{Channels: []fakeslack.Channel{{ID: "C0ALERTS", Name: "alerts"}}})
	discord := fakediscord.New(t, fakediscord.Config{})
	feishu := fakefeishu.New(t, fakefeishu.Config{})
	mm := fakemattermost.New(t, fakemattermost.Config{})
	sink := &webhookSink{}
	hook := httptest.NewServer(sink)
	defer hook.Close()

	addr := realproc.FreePort(t)
	cfg := fmt.Sprintf(`external_url: http://%s
prometheus: {url: %s}
channels:
  - name: ding
    dingtalk: {url: %q, secret: %q}
  - name: wecom
    wecom: {url: %q}
  - name: teams
    teams: {url: %q}
  - name: slack
    slack: {bot_token: %q, channel: C0ALERTS, api_url: %q}
  - name: discord
    discord: {url: %q}
  - name: hook
    webhook: {url: %q}
  - name: feishu
    feishu: {url: %q, secret: %q, domain: %q, app_id: %q, app_secret: %q}
  - name: mattermost
    mattermost: {url: %q}
routes:
  - matchers: ['alertname=~".+"']
    channels: [ding, wecom, teams, slack, discord, hook, feishu, mattermost]
`, addr, fakePrometheus(t), ding.WebhookURL(), fakedingtalk.DefaultSecret,
		wecom.URL(), teams.URL(), slack.Token(), slack.URL(), discord.URL(), hook.URL,
		feishu.WebhookURL(), fakefeishu.DefaultSecret, feishu.URL(), fakefeishu.DefaultAppID, fakefeishu.DefaultAppSecret,
		mm.WebhookURL())
	h := startHerald(t, writeConfig(t, t.TempDir(), addr, "", cfg))
	if code, body := h.post(t, "/api/v1/alerts", realPayload(t)); code != 200 {
		t.Fatalf("%d %s", code, body)
	}

	dm, err := ding.WaitMessages(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !dm[0].Signed || !strings.Contains(dm[0].Text, "HostMemoryLow") {
		t.Fatalf("dingtalk: %+v", dm[0])
	}
	// The message shows the current value of the charted query in its unit
	// (the fake Prometheus' series ends somewhere above 10 %).
	hasValue := regexp.MustCompile(`(?i)value[^\n]{0,30}\d %`)
	if !hasValue.MatchString(dm[0].Text) {
		t.Errorf("dingtalk: no current value in\n%s", dm[0].Text)
	}
	fetchChart(t, "dingtalk", markdownImage(t, dm[0].Text))

	wm, err := wecom.WaitMessages(2, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if wm[0].Type != "markdown" || !strings.Contains(wm[0].Content, "HostMemoryLow") || wm[1].Type != "image" {
		t.Fatalf("wecom: %s %q, then %s", wm[0].Type, wm[0].Content, wm[1].Type)
	}
	checkPNG(t, "wecom", wm[1].Image)
	if !hasValue.MatchString(wm[0].Content) {
		t.Errorf("wecom: no current value in\n%s", wm[0].Content)
	}

	tm, err := teams.WaitMessages(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(tm[0].Images) != 1 || !strings.Contains(tm[0].Plain, "HostMemoryLow") {
		t.Fatalf("teams: %+v", tm[0])
	}
	fetchChart(t, "teams", tm[0].Images[0].URL)
	if !hasValue.MatchString(tm[0].Plain) {
		t.Errorf("teams: no current value in\n%s", tm[0].Plain)
	}

	deadline := time.Now().Add(15 * time.Second)
	for len(slack.Files()) == 0 || !slack.Files()[0].Shared {
		if time.Now().After(deadline) {
			t.Fatalf("slack: no chart uploaded; messages %d", len(slack.Messages()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	checkPNG(t, "slack", slack.Files()[0].Bytes)
	if sm := slack.Messages(); len(sm) == 0 || !strings.Contains(sm[0].Plain, "HostMemoryLow") {
		t.Fatalf("slack messages: %+v", sm)
	} else if !hasValue.MatchString(sm[0].Plain) {
		t.Errorf("slack: no current value in\n%s", sm[0].Plain)
	}

	dd, err := discord.WaitMessages(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if img := dd[0].Image(); img == nil {
		t.Fatalf("discord: no attached chart: %+v", dd[0])
	} else {
		checkPNG(t, "discord", img)
	}

	fm, err := feishu.WaitMessages(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !fm[0].Signed || !strings.Contains(fm[0].Title, "HostMemoryLow") || len(fm[0].ImageKeys) != 1 {
		t.Fatalf("feishu: signed %v, title %q, images %v", fm[0].Signed, fm[0].Title, fm[0].ImageKeys)
	}
	checkPNG(t, "feishu", feishu.Images()[fm[0].ImageKeys[0]].PNG)
	if !hasValue.MatchString(fm[0].AllText()) {
		t.Errorf("feishu: no current value in\n%s", fm[0].AllText())
	}

	mp, err := mm.WaitPosts(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(mp[0].Attachments) != 1 || !strings.Contains(mp[0].Attachments[0].Title, "HostMemoryLow") {
		t.Fatalf("mattermost: %+v", mp[0])
	}
	fetchChart(t, "mattermost", mp[0].Attachments[0].ImageURL)
	// The value is a field of the attachment.
	if raw := string(mp[0].Raw); !hasValue.MatchString(raw) {
		t.Errorf("mattermost: no current value in\n%s", raw)
	}

	deadline = time.Now().Add(15 * time.Second)
	for len(sink.all()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("webhook: nothing posted")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var ev struct {
		Kind  string `json:"kind"`
		Chart *struct {
			ValueText string   `json:"valueText"`
			URL       string   `json:"url"`
			Query     string   `json:"query"`
			Threshold *float64 `json:"threshold"`
			Op        *string  `json:"op"`
		} `json:"chart"`
	}
	if err := json.Unmarshal(sink.all()[0], &ev); err != nil || ev.Kind != "firing" || ev.Chart == nil {
		t.Fatalf("webhook event %s: %v", sink.all()[0], err)
	}
	fetchChart(t, "webhook", ev.Chart.URL)
	if !strings.HasSuffix(ev.Chart.ValueText, " %") {
		t.Errorf("webhook: chart valueText %q", ev.Chart.ValueText)
	}
	if ev.Chart.Query != `node_memory_MemAvailable_bytes{instance="node-2.example:9100"} / node_memory_MemTotal_bytes{instance="node-2.example:9100"} * 100` ||
		ev.Chart.Threshold == nil || *ev.Chart.Threshold != 101 || ev.Chart.Op == nil || *ev.Chart.Op != "<" {
		t.Fatalf("webhook chart query %q threshold %v op %v", ev.Chart.Query, ev.Chart.Threshold, ev.Chart.Op)
	}
}

// markdownImage returns the URL of the first ![..](URL) in markdown.
func markdownImage(t *testing.T, md string) string {
	t.Helper()
	i := strings.Index(md, "![")
	j := strings.Index(md[max(i, 0):], "](")
	if i < 0 || j < 0 {
		t.Fatalf("no image in markdown:\n%s", md)
	}
	rest := md[i+j+2:]
	return rest[:strings.IndexByte(rest, ')')]
}
