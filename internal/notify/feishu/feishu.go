// Package feishu delivers alert messages to a Feishu (飞书) or Lark group
// through a custom bot's webhook: one interactive card per message, its
// header coloured by severity, the text as card markdown, the instance and
// job as fields, buttons to the source, a silence and the runbook, the
// configured mentions, and the chart — uploaded with an app's credentials
// when there are some (a custom bot cannot upload), linked when it is
// hosted. Requests are signed when the bot has a secret, and Herald keeps
// under each bot's rate limit so that Feishu never has to answer
// "frequency limited". A custom bot can neither reply nor edit: a
// resolution is a card of its own.
package feishu

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// Templates holds the default templates (feishu.tmpl); the wiring passes
// it to template.New with the other platforms'.
//
//go:embed feishu.tmpl
var Templates embed.FS

// The default template bodies; a channel's title and message settings
// replace them, and they stay the fallback when those fail.
const (
	DefaultTitle   = `{{ template "feishu.herald.title" . }}`
	DefaultMessage = `{{ template "feishu.herald.message" . }}`
)

// defaultTimeout bounds one request when the caller's context has no
// deadline; the dispatcher always sets a shorter one.
const defaultTimeout = 30 * time.Second

// Notifier sends to one Feishu or Lark custom bot. It is safe for
// concurrent use.
type Notifier struct {
	name string
	cfg  *Config
	// url is the webhook, base the Open Platform's base URL.
	url, base string
	bot       string
	// client posts to the webhook through the signer; api calls the token
	// and upload APIs.
	client, api *http.Client
	limit       botLimit
	// tokens is the app's tenant token, nil without app credentials.
	tokens *tokenSource
	// secrets are redacted from every error: the webhook URL and its
	// token, the signing secret, the app secret.
	secrets []string
	logger  *slog.Logger
	// render gives a message's title, markdown and fields; a field so that
	// tests can pin the text while the templates change.
	render func(*notify.Message) rendered
	// keys remembers the image keys of charts uploaded (see chartKey).
	keysMu sync.Mutex
	keys   map[[32]byte]string
	// warned makes "chart not shown" a single log line per channel.
	warned notify.Warnings
}

// rendered is what the templates give of a message.
type rendered struct {
	title, body string
	fields      []field
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

// WithClock sets the clock of signature timestamps and tenant token
// expiry (time.Now by default), so that tests can check both exactly.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithTransport sets the transport of every request, under the signer
// (by default the one of the section's http_config).
func WithTransport(rt http.RoundTripper) Option { return func(o *options) { o.transport = rt } }

// WithShared sets where the state shared with the other channels and kept
// across reloads lives: the bots' rate limits and the apps' tokens. The
// app passes its notify.Shared to every New; without it, the notifier
// counts its bot's messages alone and fetches its own token.
func WithShared(s *notify.Shared) Option { return func(o *options) { o.shared = s } }

// New makes the notifier of the channel called name from a validated cfg
// (see Config.Validate). tmpl must hold Templates.
func New(name string, cfg *Config, tmpl *template.Templates, logger *slog.Logger, opts ...Option) (*Notifier, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.transport == nil {
		rt, err := httpconf.RoundTripper(cfg.HTTPConfig, "feishu")
		if err != nil {
			return nil, fmt.Errorf("feishu channel %s: %w", name, err)
		}
		o.transport = rt
	}
	base, err := cfg.BaseURL()
	if err != nil {
		return nil, fmt.Errorf("feishu channel %s: domain %w", name, err)
	}
	webhook := string(cfg.URL)
	token := webhookToken(webhook)
	if u, err := url.Parse(webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || token == "" {
		// The URL itself is a secret: the error must not quote it.
		return nil, fmt.Errorf("feishu channel %s: url must be %s/open-apis/bot/v2/hook/<token>", name, base)
	}
	st := stateOf(o.shared)
	n := &Notifier{
		name: name, cfg: cfg, url: webhook, base: base, bot: botID(token),
		limit:   botLimit{shared: st, key: botID(token)},
		secrets: cfg.Secrets(),
		client:  notify.HTTPClient(&SigningTransport{Base: o.transport, Secret: string(cfg.Secret), Now: o.now}, defaultTimeout),
		api:     notify.HTTPClient(o.transport, defaultTimeout),
		logger:  logger.With("channel", name),
		keys:    map[[32]byte]string{},
	}
	if cfg.AppID != "" && cfg.AppSecret != "" {
		n.tokens = st.tokenSource(base, cfg.AppID, string(cfg.AppSecret), func() *tokenSource {
			return &tokenSource{url: base + "/open-apis/auth/v3/tenant_access_token/internal", appID: cfg.AppID,
				appSecret: string(cfg.AppSecret), client: n.api, now: o.now}
		})
	}
	n.render = func(m *notify.Message) rendered {
		// Label and annotation values reach the templates neutralised
		// (template.FeishuText), the channel's own templates too: only the
		// template's markup, the buttons and the configured mentions count.
		e := template.FeishuData(template.MessageData(m, name))
		return rendered{title: e.Execute(tmpl, cfg.Title, DefaultTitle), body: e.Execute(tmpl, cfg.Message, DefaultMessage),
			fields: buildFields(m, e)}
	}
	return n, nil
}

// Notify sends m as one card. A message an earlier attempt delivered
// (SentParts > 0) is not sent again. It never waits past ctx for the
// bot's rate limit: a *notify.ThrottledError says how long to.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	if m.SentParts > 0 {
		return nil, false, nil
	}
	if d := n.limit.paused(); d > 0 {
		return nil, true, &notify.ThrottledError{Wait: d}
	}
	if ctx.Err() != nil {
		return nil, true, ctx.Err()
	}
	body := n.build(ctx, m)
	release, err := n.limit.acquire(ctx)
	if err != nil {
		// Not a failure: the dispatcher waits for the bot's window.
		return nil, true, fmt.Errorf("feishu: waiting for the bot's rate limit: %w", err)
	}
	retry, err := n.post(ctx, body)
	release()
	if err != nil {
		return nil, retry, err
	}
	n.logger.Debug("sent", "kind", m.Kind, "alerts", alertCount(m), "bytes", len(body))
	// A bot's answer names no message: the bot is all a later event could
	// refer to.
	return []notify.Ref{{Part: 0, ChatID: n.bot, Folded: m.Folded}}, false, nil
}

// Warm counts the messages another replica sent through the channel at the
// times of sent against the bot's limits, which every channel of the bot
// shares. Chart uploads go to the app's API, which the bot's limits do
// not count.
func (n *Notifier) Warm(sent []time.Time) { n.limit.record(sent) }

// build renders m into the request body, within MaxBodyBytes.
func (n *Notifier) build(ctx context.Context, m *notify.Message) []byte {
	r := n.render(m)
	key := n.chartKey(ctx, m)
	chartURL := ""
	if key == "" && m.Image != nil {
		chartURL = m.Image.URL
		if chartURL == "" && n.tokens == nil {
			n.warned.Once(n.logger, n.name, "charts go to Feishu without the image: a custom bot cannot upload one; set app_id and app_secret, or external_url so that Herald hosts them")
		}
	}
	budget := MaxBodyBytes
	if n.cfg.Secret != "" {
		budget -= signReserve
	}
	p := buildCard(r.title, headerColour(m), r.body, mentionLine(n.cfg.Mention, m.Kind), r.fields, key,
		buildButtons(m, chartURL), budget)
	return encode(p)
}

func alertCount(m *notify.Message) int {
	if m.Data == nil {
		return 0
	}
	return len(m.Data.Alerts)
}

// String names the notifier without the bot's token.
func (n *Notifier) String() string { return "feishu channel " + n.name + " (" + n.bot + ")" }
