package discord

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// requestTimeout bounds one call when the caller's context has no
// deadline; the dispatcher's delivery timeout is normally shorter.
const requestTimeout = 30 * time.Second

// webhookPath matches the end of a webhook URL's path: /webhooks/{id}/{token}
// (https://discord.com/developers/docs/resources/webhook#execute-webhook),
// whatever comes before it (/api, /api/v10).
var webhookPath = regexp.MustCompile(`/webhooks/([0-9]+)/([A-Za-z0-9._-]+)/?$`)

// Webhook is one Discord webhook URL: where to post, the HTTP client and
// the rate limiter shared by every channel that posts through the same
// webhook. Its URL holds the webhook's token, a secret: no error, log line
// or String of a Webhook shows it. It is safe for concurrent use.
type Webhook struct {
	// base is the URL up to and with the token, without query.
	base string
	// query is the configured query (thread_id), without wait.
	query  url.Values
	id     string
	token  string
	client *http.Client
	limit  *limiter
}

// webhooks and limiters are the process-wide registry behind Get, keyed by
// URL and by webhook (id and token). Package-level because the app, whose
// field it would better be, is shared with the other platforms' authors;
// sync.Map because lookups are many and inserts few.
var (
	webhooks sync.Map // string (URL) → *Webhook
	limiters sync.Map // string (id/token) → *limiter
)

// Get returns the Webhook of a configured URL, the same one for the same
// URL, so that channels sharing a webhook (and the channels a reload
// builds) share its rate limit. Webhooks of the same id and token share it
// too, whatever their host or thread: Discord counts per webhook.
func Get(rawURL string) (*Webhook, error) {
	if w, ok := webhooks.Load(rawURL); ok {
		return w.(*Webhook), nil
	}
	w, err := newWebhook(rawURL, nil)
	if err != nil {
		return nil, err
	}
	l, _ := limiters.LoadOrStore(w.id+"/"+w.token, w.limit)
	w.limit = l.(*limiter)
	actual, _ := webhooks.LoadOrStore(rawURL, w)
	return actual.(*Webhook), nil
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
		client: &http.Client{
			Timeout: requestTimeout,
			// The token is in the path: following a redirect would hand it
			// to whatever host the redirect names. Discord never redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		limit: newLimiter(rates),
	}, nil
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
