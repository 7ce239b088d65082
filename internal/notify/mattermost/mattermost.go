// Package mattermost delivers alert messages to Mattermost through an
// incoming webhook, as message attachments: coloured by severity, a title
// linking to the alert's source, the text in Mattermost Markdown, short
// fields (severity, instance, job, the current value, the Source, Silence
// and Runbook links), the chart by URL (image_url) and the details in
// props.card, shown in the right-hand panel. A message longer than a post
// goes as several posts, cut where markup allows.
//
// The package is self-contained: the app builds a Notifier per channel
// with New, passing the templates parsed with FS and, through
// WithLimiter, the limiter it keeps for every Mattermost channel, so that
// the webhooks of one server share its rate limit across reloads.
package mattermost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// maxParts bounds the posts of one message; the last one is shortened
// when a message would need more (a folded storm holds at most 100
// alerts, which takes two or three).
const maxParts = 10

// Notifier sends to one Mattermost incoming webhook. It is safe for
// concurrent use: nothing in it changes after New but the warnings given.
type Notifier struct {
	name    string
	cfg     *Config
	url     string
	origin  string // scheme://host, the limiter's key
	secrets []string
	client  *http.Client
	limiter *notify.Limiter
	rate    notify.Rate
	tmpl    *template.Templates
	logger  *slog.Logger
	// warnings are given once (a chart without a URL).
	warnings notify.Warnings
}

var (
	_ notify.Notifier = (*Notifier)(nil)
	_ notify.Warmer   = (*Notifier)(nil)
)

// Option changes how a Notifier is built.
type Option func(*Notifier)

// WithLimiter makes the notifier wait on l, keyed by the server's origin
// (scheme://host). Mattermost counts requests per remote address, so
// every channel posting to the same server should share one limiter; the
// app keeps it (a NewLimiter) across reloads. Without it the notifier has
// a limiter of its own.
func WithLimiter(l *notify.Limiter) Option { return func(n *Notifier) { n.limiter = l } }

// WithRate replaces Herald's allowance per server (tests use a fast one).
func WithRate(r notify.Rate) Option { return func(n *Notifier) { n.rate = r } }

// NewLimiter is the limiter to share between the Mattermost channels of
// an app (see WithLimiter).
func NewLimiter() *notify.Limiter { return notify.NewLimiter() }

// New makes the notifier of the channel called name from its config,
// validated (see Config.Validate; it is checked again here) with url_file
// read. Errors name the field, never the webhook URL.
func New(name string, cfg *Config, tmpl *template.Templates, logger *slog.Logger, opts ...Option) (*Notifier, error) {
	if cfg == nil || tmpl == nil {
		return nil, errors.New("mattermost: config and templates are required")
	}
	if errs := cfg.Validate(); len(errs) > 0 {
		joined := make([]error, len(errs))
		for i, e := range errs {
			joined[i] = e
		}
		return nil, fmt.Errorf("mattermost: %w", errors.Join(joined...))
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	u, _ := url.Parse(string(cfg.URL)) // Validate parsed it
	rt, err := httpconf.RoundTripper(cfg.HTTPConfig, "mattermost")
	if err != nil {
		return nil, fmt.Errorf("mattermost channel %s: %w", name, err)
	}
	n := &Notifier{
		name:    name,
		cfg:     cfg,
		url:     string(cfg.URL),
		origin:  u.Scheme + "://" + u.Host,
		secrets: cfg.Secrets(),
		rate:    defaultRate(),
		tmpl:    tmpl,
		logger:  logger.With("channel", name),
		// The webhook's key is in the URL: no redirect is followed.
		client: notify.HTTPClient(rt, requestTimeout),
	}
	for _, o := range opts {
		o(n)
	}
	if n.limiter == nil {
		n.limiter = notify.NewLimiter()
	}
	return n, nil
}

// Notify sends m as one post, or several when its text is longer than a
// post (see buildPosts). It returns a Ref per part sent (Part is its
// index; an incoming webhook gives no post id), also on error, so that a
// retry resumes after them (m.SentParts). It never sleeps beyond what the
// rate limit asks and never retries: when the remaining parts would not
// all fit the rate limit before ctx ends, it returns a
// *notify.ThrottledError before sending any.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	posts := n.buildPosts(n.render(m))
	if m.SentParts >= len(posts) {
		return nil, false, nil
	}
	todo := posts[m.SentParts:]
	if err := n.fits(ctx, len(todo)); err != nil {
		return nil, true, err
	}
	var refs []notify.Ref
	for i, p := range todo {
		part := m.SentParts + i
		retry, err := n.post(ctx, p)
		if err != nil {
			n.logFailure(err, part, len(posts))
			return refs, retry, err
		}
		refs = append(refs, notify.Ref{Part: part, ChatID: n.cfg.Channel, Folded: m.Folded || alertCount(m) > 1})
	}
	n.logger.Debug("sent", "kind", m.Kind, "parts", len(refs), "of", len(posts))
	return refs, false, nil
}

// Warm counts the posts another replica made through the channel at the
// times of sent against the server's allowance, which every channel
// posting to the server shares (see WithLimiter).
func (n *Notifier) Warm(sent []time.Time) { n.limiter.Record(n.origin, sent, n.rate) }

// fits refuses a delivery of calls posts that the server's allowance
// would cut before ctx ends, so that a message is not left half sent (see
// notify.Fits).
func (n *Notifier) fits(ctx context.Context, calls int) error {
	return notify.Fits(ctx, calls, n.limiter.Delay(n.origin, calls, n.rate), notify.IdleDelay(calls, n.rate))
}

// logFailure says when Mattermost asked Herald to slow down, which
// Herald's own allowance should prevent unless the server's limit is
// lower than its default or shared with other programs.
func (n *Notifier) logFailure(err error, part, parts int) {
	if rl, ok := errors.AsType[*notify.RateLimitError](err); ok {
		n.logger.Warn("Mattermost answered \"too many requests\": is its rate limit (RateLimitSettings) below 10 per second, or shared with other programs?",
			"retry_after", rl.RetryAfter, "part", part, "parts", parts)
	}
}

// alertCount is the number of alerts of m.
func alertCount(m *notify.Message) int {
	if m.Data == nil {
		return 0
	}
	return len(m.Data.Alerts)
}

// String names the notifier; the webhook's key stays hidden.
func (n *Notifier) String() string {
	return "mattermost channel " + n.name + " (incoming webhook on " + n.origin + ")"
}

// partTitle is the title of part i (from 0) of parts.
func partTitle(title string, i, parts int) string {
	return title + " (" + strconv.Itoa(i+1) + "/" + strconv.Itoa(parts) + ")"
}
