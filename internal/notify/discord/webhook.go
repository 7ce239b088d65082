package discord

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// requestTimeout bounds one call when the caller's context has no
// deadline; the dispatcher's delivery timeout is normally shorter.
const requestTimeout = 30 * time.Second

// Discord does not document the limits of webhooks, and says not to hard
// code limits but to read the X-RateLimit-* headers of each answer
// (https://discord.com/developers/docs/topics/rate-limits#header-format).
// Herald does both: the headers are the authority (see observe); these
// allowances are the safety net for concurrent requests, which leave
// before the answer that says the bucket is empty. They sit a little below
// what webhooks are seen to get: a bucket of 5 requests per 2 seconds
// (X-RateLimit-Limit: 5, X-RateLimit-Reset-After: 2) and 30 messages a
// minute per channel. Discord counts requests when they arrive, so the
// limiter counts each one until a window after its answer (see
// notify.Rate).
const (
	webhookBurst  = 5
	webhookWindow = 2*time.Second + 100*time.Millisecond
	channelPerMin = 28
	channelWindow = time.Minute
)

// defaultRates are the allowances of one webhook.
func defaultRates() []notify.Rate {
	return []notify.Rate{
		{Events: webhookBurst, Per: webhookWindow, Window: true},
		{Events: channelPerMin, Per: channelWindow, Window: true},
	}
}

// limitKey is the one key of a webhook's limiter, whose rates are global:
// the limits are per webhook and each webhook has its own limiter.
const limitKey = "webhook"

// webhookPath matches the end of a webhook URL's path: /webhooks/{id}/{token}
// (https://discord.com/developers/docs/resources/webhook#execute-webhook),
// whatever comes before it (/api, /api/v10).
var webhookPath = regexp.MustCompile(`/webhooks/([0-9]+)/([A-Za-z0-9._-]+)/?$`)

// Webhook is one Discord webhook URL: where to post and the rate limiter
// shared by every channel that posts through the same webhook (each
// channel sends with its own HTTP client, from its http_config). Its URL
// holds the webhook's token, a secret: no error, log line or String of a
// Webhook shows it. It is safe for concurrent use.
type Webhook struct {
	// base is the URL up to and with the token, without query.
	base string
	// query is the configured query (thread_id), without wait.
	query url.Values
	id    string
	token string
	// limit holds Herald's allowances and the pauses Discord asked for;
	// rates are the allowances it was made with.
	limit *notify.Limiter
	rates []notify.Rate
}

// webhookKey and limiterKey key a notify.Shared, which the app keeps
// across reloads: webhooks by URL, their limiters by webhook (id and
// token).
type (
	webhookKey string
	limiterKey string
)

// Get returns the Webhook of a configured URL held by s, the same one for
// the same URL, so that channels sharing a webhook (and the channels a
// reload builds) share its rate limit. Webhooks of the same id and token
// share it too, whatever their host or thread: Discord counts per webhook.
func Get(s *notify.Shared, rawURL string) (*Webhook, error) {
	return notify.Share(s, webhookKey(rawURL), func() (*Webhook, error) {
		w, err := newWebhook(rawURL, nil)
		if err != nil {
			return nil, err
		}
		w.limit, err = notify.Share(s, limiterKey(w.id+"/"+w.token), func() (*notify.Limiter, error) { return w.limit, nil })
		return w, err
	})
}

// NewWebhook makes a Webhook with a rate limiter of its own, for tests and
// tools that must not share state with the rest of the process.
func NewWebhook(rawURL string) (*Webhook, error) { return newWebhook(rawURL, nil) }

// newWebhook parses rawURL; rates replace the default allowances (tests
// use short windows).
func newWebhook(rawURL string, rates []notify.Rate) (*Webhook, error) {
	// The URL is a secret: no error quotes it.
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, errors.New("discord: url must be a webhook URL like https://discord.com/api/webhooks/ID/TOKEN")
	}
	sub := webhookPath.FindStringSubmatch(u.Path)
	if sub == nil {
		return nil, errors.New("discord: url must end in /webhooks/ID/TOKEN (copy it with \"Copy Webhook URL\"; the /slack and /github variants are not supported)")
	}
	q := u.Query()
	q.Del("wait")
	base := *u
	base.RawQuery, base.Fragment = "", ""
	base.Path = strings.TrimSuffix(u.Path, "/")
	base.RawPath = ""
	if rates == nil {
		rates = defaultRates()
	}
	return &Webhook{
		base:  base.String(),
		query: q,
		id:    sub[1],
		token: sub[2],
		limit: notify.NewLimiter(rates...),
		rates: rates,
	}, nil
}

// delay is how long, as things stand, until n requests in a row are allowed.
func (w *Webhook) delay(n int) time.Duration { return w.limit.Delay(limitKey, n) }

// record counts requests another process made to the webhook at the times
// of sent (see notify.Limiter.Record).
func (w *Webhook) record(sent []time.Time) { w.limit.Record(limitKey, sent) }

// idle is how long n requests in a row take with no other traffic (see
// notify.IdleDelay): a window lets its Events go at once.
func (w *Webhook) idle(n int) time.Duration {
	var d time.Duration
	for _, r := range w.rates {
		if r.Window {
			r.Burst = r.Events
		}
		d = max(d, notify.IdleDelay(n, r))
	}
	return d
}

// observe reads the rate-limit headers of an answer: when the bucket is
// empty (X-RateLimit-Remaining: 0), the next request waits until it resets
// (X-RateLimit-Reset-After, seconds with decimals).
func (w *Webhook) observe(h http.Header) {
	if strings.TrimSpace(h.Get("X-RateLimit-Remaining")) != "0" {
		return
	}
	d, err := seconds(h.Get("X-RateLimit-Reset-After"))
	if err != nil {
		// An empty bucket without a reset time: wait as long as a bucket lasts.
		d = webhookWindow
	}
	w.limit.Pause(limitKey, time.Now().Add(d))
}

// seconds parses Discord's durations: seconds as a decimal number.
func seconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 24*3600 {
		return 0, fmt.Errorf("not a duration in seconds: %q", s)
	}
	// Rounded to the microsecond: 64.57 must not become 64.569999999s.
	return time.Duration(math.Round(f*1e6)) * time.Microsecond, nil
}

// executeURL is where messages are posted. wait=true makes Discord answer
// with the message object, whose id resolved events need to edit it.
func (w *Webhook) executeURL() string {
	q := url.Values{}
	for k, v := range w.query {
		q[k] = v
	}
	q.Set("wait", "true")
	return w.base + "?" + q.Encode()
}

// messageURL is the URL of a message the webhook sent.
func (w *Webhook) messageURL(id string) string {
	u := w.base + "/messages/" + url.PathEscape(id)
	if len(w.query) > 0 {
		u += "?" + w.query.Encode()
	}
	return u
}

// threadID is the thread the webhook posts in, "" for the channel itself.
func (w *Webhook) threadID() string { return w.query.Get("thread_id") }

// secrets are the strings no error may show.
func (w *Webhook) secrets() []string { return []string{w.base, w.token} }

// redact removes the webhook's secrets from err.
func (w *Webhook) redact(err error) error { return notify.Redact(err, w.secrets()...) }

// String names the webhook by its id, which is not a secret (anyone in the
// channel can see it); value receivers cover Webhook and *Webhook.
func (w Webhook) String() string { return "discord webhook " + w.id }

// GoString hides the token from %#v as String does from %v.
func (w Webhook) GoString() string { return w.String() }

// LogValue hides the token from log/slog.
func (w Webhook) LogValue() slog.Value { return slog.StringValue(w.String()) }
