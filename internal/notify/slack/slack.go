// Package slack delivers alert messages to Slack, through an incoming
// webhook or a bot token, as Block Kit messages: a header, the body in
// sections, a context line, link buttons and the chart.
//
// With an incoming webhook (slack.webhook_url) the chart goes as an image
// block by URL, the signed link Herald serves (external_url); a webhook
// cannot upload and gives no message id, so a resolved event is simply a
// new message. With a bot token and a channel (slack.bot_token,
// slack.channel) messages go through chat.postMessage, the chart is
// uploaded with the files API, and a resolved event replies in the thread
// of the firing message and updates that message (chat.update) to show it
// resolved.
//
// Every request waits on a rate limiter shared by the channels that use
// the same webhook or token, a little under Slack's documented limits, so
// that Slack never has to answer "too fast" in normal operation.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// Notifier sends to one Slack channel. It is safe for concurrent use:
// nothing in it changes after New.
type Notifier struct {
	name   string
	cfg    *Config
	client *client
	// http sends the channel's requests (its http_config); the client,
	// shared by the channels of one webhook or token, keeps the limits.
	http *http.Client
	// bot is set when the channel uses a bot token rather than a webhook.
	bot    bool
	logger *slog.Logger
	// render turns a message into content with the channel's templates.
	render func(*notify.Message) *content
}

var (
	_ notify.Notifier = (*Notifier)(nil)
	_ notify.Warmer   = (*Notifier)(nil)
)

// Option changes how New builds a notifier.
type Option func(*options)

type options struct {
	rates rates
}

// WithRateScale makes Herald's allowances for Slack k times as fast (k >
// 1), so that a test against a fake whose limits are scaled the same way
// (fakeslack.Limits) checks that Herald keeps to them in milliseconds
// rather than seconds. It applies when the client of a webhook or token is
// made, by the first channel that uses it.
func WithRateScale(k float64) Option {
	return func(o *options) {
		if k > 0 {
			o.rates = o.rates.scaled(k)
		}
	}
}

// withRates replaces the allowances (tests: loose ones that never slow
// them down, or one tier made tight).
func withRates(r rates) Option { return func(o *options) { o.rates = r } }

// New makes the notifier of the channel called name from its validated
// config: webhook_url, or bot_token with channel. Channels with the same
// webhook URL or bot token share one client and its rate limiter, held by
// shared (the app's, kept across configuration reloads; nil shares
// nothing). Errors name the field and never its secret value.
func New(name string, cfg *Config, shared *notify.Shared, tmpl *template.Templates, logger *slog.Logger, opts ...Option) (*Notifier, error) {
	o := options{rates: defaultRates()}
	for _, opt := range opts {
		opt(&o)
	}
	var key clientKey
	var mk func() (*client, error)
	switch {
	case cfg.WebhookURL != "":
		key = clientKey{webhookURL: string(cfg.WebhookURL)}
		mk = func() (*client, error) { return newWebhookClient(string(cfg.WebhookURL), o.rates) }
	default:
		api := cfg.APIURL
		if api == "" {
			api = DefaultAPIURL
		}
		key = clientKey{token: string(cfg.BotToken), apiURL: api}
		mk = func() (*client, error) { return newBotClient(string(cfg.BotToken), api, o.rates) }
	}
	c, err := sharedClient(shared, key, mk)
	if err != nil {
		return nil, err
	}
	return newNotifier(name, cfg, c, tmpl, logger)
}

// newNotifier makes the notifier of a channel on client c, with an HTTP
// client of its own made from cfg.HTTPConfig: no request of the channel
// goes any other way.
func newNotifier(name string, cfg *Config, c *client, tmpl *template.Templates, logger *slog.Logger) (*Notifier, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if c.webhookURL == "" && cfg.Channel == "" {
		return nil, errors.New("slack: channel is required with bot_token")
	}
	rt, err := httpconf.RoundTripper(cfg.HTTPConfig, "slack")
	if err != nil {
		return nil, fmt.Errorf("slack channel %s: %w", name, err)
	}
	r := &renderer{tmpl: tmpl, message: cfg.Message, channel: name}
	return &Notifier{name: name, cfg: cfg, client: c, http: notify.HTTPClient(rt, requestTimeout), bot: c.webhookURL == "",
		logger: logger.With("channel", name), render: r.render}, nil
}

// Notify sends m: through the webhook, or with the bot token as a message
// (in the firing message's thread for resolved events and reminders) and
// its chart. It returns a Ref per part sent: part 0 is the message (ChatID
// is the channel id, MessageID its ts; empty for a webhook, which gives
// neither), part 1 the chart uploaded with a bot token (MessageID is the
// file id). A retry resumes after the parts already sent.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	c := n.render(m)
	var refs []notify.Ref
	var retry bool
	var err error
	if n.bot {
		refs, retry, err = n.notifyBot(ctx, m, c)
	} else {
		refs, retry, err = n.notifyWebhook(ctx, m, c)
	}
	if rl, ok := errors.AsType[*notify.RateLimitError](err); ok {
		// The limiter exists so that this never happens; when it does, the
		// webhook or token is shared with another program.
		n.logger.Warn("Slack answered \"too fast\" although Herald keeps to its rate limits; is another program using this webhook or token?",
			"retry_after", rl.RetryAfter)
	}
	if err == nil {
		n.logger.Debug("sent", "kind", m.Kind, "parts", len(refs), "omitted_alerts", c.omitted)
	}
	return refs, retry, err
}

// Warm counts the posts another replica made through the channel at the
// times of sent (a chart shared with a bot token is a post too) against
// the pace of the Slack channel or webhook, which every Herald channel
// posting there shares. The token's per-method windows (chat.update,
// uploads) are not warmed: the times do not say which of the posts made
// those calls.
func (n *Notifier) Warm(sent []time.Time) {
	key := webhookKey
	if n.bot {
		key = channelKey(n.cfg.Channel)
	}
	n.client.limiter.Record(key, sent, n.client.rates.perChannel)
}

// String names the notifier; the webhook URL and the token stay hidden.
func (n *Notifier) String() string {
	if n.bot {
		return "slack channel " + n.name + " (bot, " + n.cfg.Channel + ")"
	}
	return "slack channel " + n.name + " (incoming webhook)"
}
