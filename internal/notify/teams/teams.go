// Package teams delivers alert messages to Microsoft Teams channels through
// a workflow webhook (the Workflows app's "Post to a channel when a webhook
// request is received", which replaces Office 365 connectors) or a legacy
// incoming webhook URL. Each message is one Adaptive Card: a header
// coloured by severity, the message text, the alert's labels as facts, the
// chart as an image by URL and buttons to the source, a silence and the
// runbook, shortened to fit Teams' 28 KB limit. Teams cannot edit or
// thread what a webhook posted, so a resolved event is a card of its own.
package teams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// The default title and message templates (teams.tmpl, embedded as FS);
// a channel's title and message settings replace them. They render plain
// text: the notifier escapes it for the card's Markdown.
const (
	DefaultTitle   = `{{ template "teams.herald.title" . }}`
	DefaultMessage = `{{ template "teams.herald.message" . }}`
)

// Notifier sends to one Teams channel. It is safe for concurrent use:
// nothing in it changes after New.
type Notifier struct {
	name string
	hook *Webhook
	// client sends the channel's requests, with the transport of its
	// http_config; err is why that transport could not be built.
	client *http.Client
	err    error
	logger *slog.Logger
	// render returns the title and message text of m; a field so that
	// tests can pin texts while the templates change.
	render func(*notify.Message) (title, text string)
	budget int
}

var (
	_ notify.Notifier = (*Notifier)(nil)
	_ notify.Warmer   = (*Notifier)(nil)
)

// New makes the notifier of the channel called name, posting to hook
// (Shared gives the one of a URL) with a client on cfg's http_config.
// cfg's Title and Message are template bodies; empty ones take the
// defaults. An http_config that cannot be built (the config loader
// refuses it first) fails every Notify, permanently.
func New(name string, cfg *Config, hook *Webhook, tmpl *template.Templates, logger *slog.Logger) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{name: name, hook: hook, logger: logger.With("channel", name), budget: MaxPayloadBytes}
	var title, text string
	hc := config.DefaultHTTPClientConfig()
	if cfg != nil {
		title, text, hc = cfg.Title, cfg.Message, cfg.HTTPConfig
	}
	// A redirect would hand the signed URL's answer to another host, and
	// Power Automate never redirects a trigger call (notify.HTTPClient).
	rt, err := httpconf.RoundTripper(hc, "teams")
	if err != nil {
		n.err = fmt.Errorf("teams channel %s: %w", name, err)
	} else {
		n.client = notify.HTTPClient(rt, hook.timeout)
	}
	n.render = func(m *notify.Message) (string, string) {
		d := template.MessageData(m, name)
		return tmpl.Execute(title, DefaultTitle, d, template.Text), tmpl.Execute(text, DefaultMessage, d, template.Text)
	}
	return n
}

// Notify posts the card of m. A message is one post, so a retry of a
// message that was sent (m.SentParts > 0) sends nothing. The Ref's
// MessageID is the workflow run id when Power Automate gives one; Teams
// offers no way to edit or reply to a webhook's post, so resolved events
// and reminders never use m.Previous.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	if m.SentParts > 0 {
		return nil, false, nil
	}
	if n.err != nil {
		return nil, false, n.err
	}
	body, err := n.build(m)
	if err != nil {
		// The same message would give the same card.
		return nil, false, err
	}
	id, retry, err := n.hook.post(ctx, n.client, body)
	if err != nil {
		if rl, ok := errors.AsType[*notify.RateLimitError](err); ok {
			// Herald's limiter exists so that this never happens.
			n.logger.Warn("Teams answered 429 although Herald keeps to its rate limit; is another program posting to this webhook?",
				"webhook", n.hook.String(), "retry_after", rl.RetryAfter)
		}
		return nil, retry, err
	}
	n.logger.Debug("sent", "kind", m.Kind, "bytes", len(body), "run_id", id)
	return []notify.Ref{{Part: 0, MessageID: id, Folded: m.Folded}}, false, nil
}

// Warm counts the posts another replica made through the channel at the
// times of sent against the webhook's limits, which every channel of the
// URL shares.
func (n *Notifier) Warm(sent []time.Time) { n.hook.record(sent) }

// build renders m and lays it out as the body of one post within budget.
func (n *Notifier) build(m *notify.Message) ([]byte, error) {
	title, text := n.render(m)
	return fit(buildContent(m, title, text, n.buildImage(m)), n.budget)
}

// buildImage is the chart as a card Image. Teams fetches images by URL
// only (a data: URI of a chart would not fit in 28 KB), so a chart without
// a hosted URL is left out, which is logged once per channel.
func (n *Notifier) buildImage(m *notify.Message) *element {
	if m.Image == nil {
		return nil
	}
	if !validURL(m.Image.URL) {
		n.hook.noImage.Once(n.logger, n.name, "charts are not shown in Teams: Teams takes images by URL only; set external_url so that Herald can serve them",
			"platform", "teams")
		return nil
	}
	alt := oneLine(m.Image.Alt)
	if alt == "" {
		alt = "chart"
	}
	return &element{Type: "Image", URL: m.Image.URL, AltText: cut(alt, 200), Size: "Stretch", Spacing: "Medium"}
}

// String names the notifier; the webhook URL stays hidden.
func (n *Notifier) String() string { return "teams channel " + n.name + " (" + n.hook.String() + ")" }
