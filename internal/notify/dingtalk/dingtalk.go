// Package dingtalk delivers alert messages to a DingTalk (钉钉) group
// through a custom robot's webhook: markdown messages with a title, the
// chart as a markdown image by URL, mentions, requests signed when the
// robot has a secret, and a per-robot rate limit a little under DingTalk's
// 20 messages a minute, so that DingTalk never has to answer "send too
// fast" (and silence the robot for ten minutes). DingTalk robots cannot
// reply to or edit a message: a resolved event is a message of its own.
package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// The default template bodies (dingtalk.tmpl, embedded as FS); a
// channel's title and message settings replace them, and they stay the
// fallback when those fail.
const (
	DefaultTitle   = `{{ template "dingtalk.herald.title" . }}`
	DefaultMessage = `{{ template "dingtalk.herald.message" . }}`
)

// defaultTimeout bounds one request when the caller's context has no
// deadline; the dispatcher always sets a shorter one.
const defaultTimeout = 30 * time.Second

// Notifier sends to one DingTalk robot. It is safe for concurrent use:
// nothing in it changes after New but what warnings it gave.
type Notifier struct {
	name   string
	cfg    *Config
	url    string
	robot  string
	client *http.Client
	limit  *robotLimit
	// secrets are redacted from every error: the webhook URL holds the
	// access token, and the signing secret must never show either.
	secrets []string
	logger  *slog.Logger
	// render gives a message's title and markdown text; a field so that
	// tests can pin the text while the templates change.
	render func(*notify.Message) (title, text string)
	// warned makes "no image URL" a single log line per channel.
	warned notify.Warnings
}

var (
	_ notify.Notifier = (*Notifier)(nil)
	_ notify.Warmer   = (*Notifier)(nil)
)

// Option sets an optional behaviour of a Notifier in New.
type Option func(*options)

type options struct {
	now       func() time.Time
	transport http.RoundTripper
	shared    *notify.Shared
}

// WithShared sets where the robot's rate limit is kept, so that every
// channel posting to the robot, and the channels a reload builds, count
// together. Without it the notifier counts alone.
func WithShared(s *notify.Shared) Option { return func(o *options) { o.shared = s } }

// WithClock sets the clock of the signature timestamps (time.Now by
// default), so that tests can check signatures exactly.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithTransport sets the transport under the signer (by default the one
// of the section's http_config).
func WithTransport(rt http.RoundTripper) Option { return func(o *options) { o.transport = rt } }

// New makes the notifier of the channel called name. Channels posting to
// the same robot share its rate limit through WithShared.
func New(name string, cfg *Config, tmpl *template.Templates, logger *slog.Logger, opts ...Option) (*Notifier, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	webhook := string(cfg.URL)
	u, err := url.Parse(webhook)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The URL itself is a secret: the error must not quote it.
		return nil, fmt.Errorf("dingtalk channel %s: url must be an absolute http or https URL", name)
	}
	if o.transport == nil {
		rt, err := httpconf.RoundTripper(cfg.HTTPConfig, "dingtalk")
		if err != nil {
			return nil, fmt.Errorf("dingtalk channel %s: %w", name, err)
		}
		o.transport = rt
	}
	n := &Notifier{
		name: name, cfg: cfg, url: webhook, robot: robotID(webhook), limit: limitFor(o.shared, webhook),
		secrets: []string{webhook, u.Query().Get("access_token"), string(cfg.Secret)},
		client:  notify.HTTPClient(&SigningTransport{Base: o.transport, Secret: string(cfg.Secret), Now: o.now}, defaultTimeout),
	}
	n.logger = logger.With("channel", name)
	n.render = func(m *notify.Message) (string, string) {
		// Label and annotation values reach the templates neutralised
		// (template.DingTalkText), the channel's own templates too: only
		// the template's markup and the configured mentions count.
		d := template.DingTalkData(template.MessageData(m, name))
		return oneLineTitle(d.Execute(tmpl, cfg.Title, DefaultTitle)), d.Execute(tmpl, cfg.Message, DefaultMessage)
	}
	return n, nil
}

// Notify sends m as one markdown message, or several marked "(i/n)" when
// it is longer than DingTalk takes, skipping the parts an earlier attempt
// sent. Resolved events and reminders are new messages: a robot can
// neither reply nor edit. It returns a Ref for every part sent, also when
// a later part failed.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	parts := n.build(m)
	if len(parts) == 0 {
		// Templates never render nothing; if they did, another try would too.
		return nil, false, errors.New("dingtalk: the message template rendered no text")
	}
	first := min(m.SentParts, len(parts))
	if err := n.fits(ctx, len(parts)-first); err != nil {
		return nil, true, err
	}
	var refs []notify.Ref
	for i := first; i < len(parts); i++ {
		release, err := n.limit.acquire(ctx)
		if err != nil {
			// Not a failure: the dispatcher waits for the robot's window.
			return refs, true, fmt.Errorf("dingtalk: waiting for the robot's rate limit: %w", err)
		}
		retry, err := n.post(ctx, encode(parts[i]))
		release()
		if err != nil {
			return refs, retry, err
		}
		// A robot's answer names no message: the part number is all a
		// later event could refer to.
		refs = append(refs, notify.Ref{Part: i, ChatID: n.robot, Folded: m.Folded})
	}
	n.logger.Debug("sent", "kind", m.Kind, "alerts", alertCount(m), "parts", len(refs))
	return refs, false, nil
}

// Warm counts the messages another replica sent through the channel at the
// times of sent against the robot's limit, which every channel of the
// robot shares.
func (n *Notifier) Warm(sent []time.Time) { n.limit.record(sent) }

// build renders m and lays it out in parts.
func (n *Notifier) build(m *notify.Message) []payload {
	title, text := n.render(m)
	if title == "" {
		// DingTalk refuses a message without a title; templates never
		// render one empty, but a message must not depend on that.
		title = "Herald alert"
	}
	a := buildAt(n.cfg.Mention, m.Kind)
	return layout(title, text, extrasOf(n.image(m), mentionLine(a)), a)
}

// image returns the markdown image of m's chart, or "" when there is none.
// A chart without a hosted URL cannot reach DingTalk, which takes images
// by URL only; that is said once per channel, not for every message.
func (n *Notifier) image(m *notify.Message) string {
	if m.Image != nil && m.Image.URL == "" {
		n.warned.Once(n.logger, n.name, "charts go to DingTalk without the image: DingTalk takes images by URL only; set external_url so that Herald can host them")
	}
	return imageLine(m.Image)
}

// fits refuses to start a message of calls parts that the robot's rate
// limit would cut before ctx ends (see notify.Fits), and any message
// while DingTalk has the robot paused: a cut message reads badly and,
// when folded, is sent again whole. The *notify.ThrottledError makes the
// dispatcher pause the channel without counting a failed attempt.
func (n *Notifier) fits(ctx context.Context, calls int) error {
	if d := n.limit.paused(); d > 0 {
		return &notify.ThrottledError{Wait: d}
	}
	return notify.Fits(ctx, calls, n.limit.delay(calls), n.limit.idleDelay(calls))
}

func alertCount(m *notify.Message) int {
	if m.Data == nil {
		return 0
	}
	return len(m.Data.Alerts)
}

// String names the notifier without the robot's token.
func (n *Notifier) String() string { return "dingtalk channel " + n.name + " (" + n.robot + ")" }
