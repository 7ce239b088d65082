package slack

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakeslack"
)

func TestWebhookFiringMessage(t *testing.T) {
	t.Parallel()
	fake := newFake(t, unlimited)
	n := hookNotifier(t, fake, fastRates(), nil)
	m := withChart(t, message(alert.KindFiring, nasty), "https://herald.example/images/abc.png?sig=1")
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || retry {
		t.Fatalf("Notify: retry=%v err=%v", retry, err)
	}
	if len(refs) != 1 || refs[0] != (notify.Ref{Part: 0}) {
		t.Errorf("refs = %+v, want one part without ids (a webhook gives none)", refs)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	got := msgs[0]
	if !got.Webhook || got.Channel != opsChannel {
		t.Errorf("message %+v", got)
	}
	if want := "🔥 " + nasty["alertname"] + " · critical"; got.Header != want {
		t.Errorf("header %q, want %q (plain text, as written)", got.Header, want)
	}
	for _, want := range []string{nasty["summary"], nasty["team"], "db_01:9100", "started 12:00 UTC, firing for 12m"} {
		if !strings.Contains(fakeslack.Fold(got.Plain), want) {
			t.Errorf("the message does not show %q:\n%s", want, got.Plain)
		}
	}
	if len(got.Mentions) != 0 || len(got.Links) != 0 {
		t.Errorf("label values became mentions %v or links %v", got.Mentions, got.Links)
	}
	if len(got.Images) != 1 || got.Images[0].URL != m.Image.URL || got.Images[0].Alt != m.Image.Alt {
		t.Errorf("images = %+v", got.Images)
	}
	var labels []string
	for _, b := range got.Buttons {
		labels = append(labels, b.Text)
	}
	if strings.Join(labels, ",") != "Source,Silence,Runbook" {
		t.Errorf("buttons = %+v", got.Buttons)
	}
	if got.Text == "" || got.UnfurlLinks == nil || *got.UnfurlLinks {
		t.Errorf("fallback text %q, unfurl_links %v", got.Text, got.UnfurlLinks)
	}
}

func TestWebhookResolvedIsANewMessage(t *testing.T) {
	t.Parallel()
	fake := newFake(t, unlimited)
	n := hookNotifier(t, fake, fastRates(), nil)
	m := message(alert.KindResolved, nasty)
	m.Previous = []notify.Ref{{Part: 0}}
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 1 || got[0].ThreadTS != "" || !strings.HasPrefix(got[0].Header, "✅ RESOLVED") {
		t.Fatalf("messages = %+v", got)
	}
	for _, b := range got[0].Buttons {
		if b.Text == "Silence" {
			t.Error("a resolved alert offers a silence")
		}
	}
	// A retry after the message went out sends nothing again.
	m.SentParts = 1
	if refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil || len(refs) != 0 || len(fake.Messages()) != 1 {
		t.Errorf("resumed: refs %v err %v messages %d", refs, err, len(fake.Messages()))
	}
}

func TestWebhookWithoutImageURLLogsOncePerChannel(t *testing.T) {
	t.Parallel()
	fake := newFake(t, unlimited)
	var logs alerts.LogBuffer
	n := hookNotifier(t, fake, fastRates(), logs.Logger())
	for range 3 {
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), withChart(t, message(alert.KindFiring, nasty), "")); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range fake.Messages() {
		if len(m.Images) != 0 {
			t.Errorf("image without a URL: %+v", m.Images)
		}
	}
	if c := strings.Count(logs.String(), "external_url"); c != 1 {
		t.Errorf("the missing URL was logged %d times, want once:\n%s", c, logs.String())
	}
}

func TestWebhookErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		code      string
		fault     fakeslack.Fault
		retry     bool
		rateLimit bool
		status    int
	}{
		{name: "invalid blocks", code: "invalid_blocks", status: 400},
		{name: "no text", code: "no_text", status: 400},
		{name: "forbidden", code: "action_prohibited", status: 403},
		{name: "channel gone", code: "channel_not_found", status: 404},
		{name: "webhook removed", code: "no_service", status: 404},
		{name: "archived", code: "channel_is_archived", status: 410},
		{name: "slack trouble", code: "rollup_error", retry: true, status: 500},
		{name: "internal", fault: fakeslack.FaultInternal, retry: true, status: 500},
		{name: "proxy page", fault: fakeslack.FaultBadGateway, retry: true, status: 502},
		{name: "reset", fault: fakeslack.FaultReset, retry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, unlimited)
			var logs alerts.LogBuffer
			n := hookNotifier(t, fake, fastRates(), logs.Logger())
			if tt.code != "" {
				fake.FailWith("webhook", tt.code, 1)
			} else {
				fake.FailCall("webhook", 1, tt.fault)
			}
			refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
			if err == nil || retry != tt.retry || len(refs) != 0 {
				t.Fatalf("refs=%v retry=%v err=%v, want retry=%v", refs, retry, err, tt.retry)
			}
			if tt.code != "" && !strings.Contains(err.Error(), tt.code) {
				t.Errorf("error %q does not name %s", err, tt.code)
			}
			if he, ok := errors.AsType[*notify.HTTPError](err); tt.status != 0 && (!ok || he.StatusCode != tt.status) {
				t.Errorf("error %v: want HTTP %d inside", err, tt.status)
			}
			checkNoSecret(t, fake, err, logs.String())
		})
	}
}

func TestWebhookRateLimitAnswer(t *testing.T) {
	t.Parallel()
	// A fake that allows one message a second with no burst, and a Herald
	// that ignores it: Slack's 429 and its Retry-After reach the dispatcher.
	fake := newFake(t, fakeslack.Limits{PerChannel: 0.2, Burst: 1})
	n := hookNotifier(t, fake, fastRates(), nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty)); err != nil {
		t.Fatal(err)
	}
	_, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	rl, ok := errors.AsType[*notify.RateLimitError](err)
	if !retry || !ok || rl.RetryAfter < 4*time.Second || rl.RetryAfter > 5*time.Second {
		t.Fatalf("retry=%v err=%v, want a rate limit of about 5s", retry, err)
	}
	if st := fake.Stats(); st.TooManyRequests != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestWebhookNonSlackAnswer(t *testing.T) {
	t.Parallel()
	// A proxy answering 200 with its own page: nothing was posted.
	srv := newPlainServer(t, http.StatusOK, "<html>welcome to the hotel wifi</html>")
	n, err := New("ops", &Config{WebhookURL: config.Secret(srv + "/services/T/B/secret")}, nil, mustTemplates(t), nil, withRates(fastRates()))
	if err != nil {
		t.Fatal(err)
	}
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	if !retry || err == nil || len(refs) != 0 || strings.Contains(err.Error(), "secret") {
		t.Errorf("retry=%v err=%v", retry, err)
	}
}
