// Package wecom delivers alert messages to WeCom (企业微信) group robots
// (https://developer.work.weixin.qq.com/document/path/91770). One alert
// event becomes a small set of robot messages, sent in order: the markdown
// text (split into several messages when it is over WeCom's 4096 bytes),
// the chart as an image message (base64 and md5 of the raw PNG, shrunk
// under 2 MB when needed), and, when the channel mentions phone numbers or
// everyone, a short text message carrying mentioned_mobile_list /
// mentioned_list, the only message type that takes them. The whole set is
// checked against the robot's 20 messages a minute before the first one
// goes, and every message waits on the robot's limiter, so that WeCom never
// has to answer 45009.
package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// DefaultMessage is the default markdown template body of a WeCom channel
// (its `message` setting replaces it; it stays the fallback).
const DefaultMessage = `{{ template "wecom.herald.message" . }}`

// Notifier sends to one WeCom group robot. It is safe for concurrent use:
// nothing in it changes after New.
type Notifier struct {
	name   string
	cfg    *Config
	robot  *Robot
	client *http.Client // from the channel's http_config
	logger *slog.Logger
	// onResolve is graph.on_resolve: with config.OnResolveNone resolved
	// events go without their chart. WeCom cannot edit a message, so
	// "edit" and "reply" both send the resolved chart after the text.
	onResolve string
	// mentions is the <@userid> line of the markdown; "" for none.
	mentions string
	// maxImage is MaxImageBytes; a field so that tests can make any chart
	// too large.
	maxImage int
	// render turns a message into markdown; a field so that tests can pin
	// the text while the templates change.
	render func(*notify.Message) string
}

var (
	_ notify.Notifier = (*Notifier)(nil)
	_ notify.Warmer   = (*Notifier)(nil)
)

// Option sets an optional behaviour of a Notifier in New.
type Option func(*Notifier)

// WithChartOnResolve sets graph.on_resolve: config.OnResolveNone sends
// resolved events without their chart; any other mode sends it.
func WithChartOnResolve(mode string) Option {
	return func(n *Notifier) { n.onResolve = mode }
}

// New makes the notifier of the channel called name. robot is shared by
// every channel with the same URL (see SharedRobot). It fails on mentions
// WeCom cannot take.
func New(name string, cfg *Config, robot *Robot, tmpl *template.Templates, logger *slog.Logger, opts ...Option) (*Notifier, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg == nil || robot == nil {
		return nil, errors.New("wecom: config and robot are required")
	}
	mentions, err := checkMention(cfg.Mention)
	if err != nil {
		return nil, err
	}
	// The channel's own client (its http_config): the robot, shared with
	// other channels, keeps only the rate limit. The key is in the URL,
	// so redirects are not followed (notify.HTTPClient); WeCom never
	// redirects.
	rt, err := httpconf.RoundTripper(cfg.HTTPConfig, "wecom")
	if err != nil {
		return nil, fmt.Errorf("wecom channel %s: %w", name, err)
	}
	n := &Notifier{name: name, cfg: cfg, robot: robot, logger: logger.With("channel", name),
		mentions: mentions, maxImage: MaxImageBytes, client: notify.HTTPClient(rt, robot.timeout)}
	n.render = func(m *notify.Message) string {
		// Label and annotation values reach the templates neutralised
		// (template.WeComText), the channel's own template too: only the
		// template's markup and the configured mentions count.
		d := template.WeComData(template.MessageData(m, name))
		return d.Execute(tmpl, cfg.Message, DefaultMessage)
	}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Notify sends m: its markdown parts, its chart and its mention message,
// skipping the m.SentParts first ones that an earlier attempt sent. It
// returns a Ref for every message it sent, also when a later one failed,
// so that a retry resumes after them. WeCom returns no message ids and
// cannot edit or reply: a resolved event is a message of its own.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	plan := n.plan(m)
	if len(plan) == 0 {
		// Templates never render nothing; if they did, another try would too.
		return nil, false, errors.New("wecom: the message template rendered no text")
	}
	first := min(m.SentParts, len(plan))
	if err := n.fits(ctx, len(plan)-first); err != nil {
		return nil, true, err
	}
	var refs []notify.Ref
	for i := first; i < len(plan); i++ {
		msg := plan[i]
		retry, err := n.robot.send(ctx, n.client, msg)
		switch {
		case err != nil && msg.MsgType == "image" && imageRefused(err):
			// The text is out already; the chart is a courtesy.
			n.logger.Warn("WeCom refused the chart; the message goes without it", "kind", m.Kind, "err", err)
			continue
		case err != nil:
			if isRateLimit(err) {
				// The limiter exists so that this never happens; when it
				// does, another program posts to the same robot.
				n.logger.Warn("WeCom answered 45009 although Herald keeps to its limit; is another program using this robot?",
					"robot", n.robot.ID())
			}
			return refs, retry, err
		}
		refs = append(refs, n.ref(m, i, msg.MsgType))
	}
	n.logger.Debug("sent", "kind", m.Kind, "messages", len(refs), "robot", n.robot.ID())
	return refs, false, nil
}

// Warm counts the messages another replica sent through the channel at the
// times of sent (markdown, chart and mention messages alike) against the
// robot's limit, which every channel of the robot shares.
func (n *Notifier) Warm(sent []time.Time) { n.robot.record(sent) }

// fits refuses to start a set of calls messages that Herald's own rate
// limit would cut before ctx ends (see notify.Fits): a cut set reads badly
// and, when folded, is sent again whole. The *notify.ThrottledError makes
// the dispatcher pause the channel without counting a failed attempt.
// plan never holds more messages than the limit allows in one window, so
// a set goes at once on an idle robot.
func (n *Notifier) fits(ctx context.Context, calls int) error {
	return notify.Fits(ctx, calls, n.robot.delay(calls), 0)
}

// ref is the reference of message i of m. WeCom has no message ids: the id
// is made up, unique enough to tell the parts of one delivery apart.
func (n *Notifier) ref(m *notify.Message, i int, msgType string) notify.Ref {
	return notify.Ref{Part: i, ChatID: n.robot.ID(),
		MessageID: msgType + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.Itoa(i),
		Folded:    m.Folded, Media: msgType == "image"}
}

// imageRefused reports whether err is WeCom refusing the image itself
// (its size, format or md5) as opposed to the robot or the network.
func imageRefused(err error) bool {
	var aerr *APIError
	if !errors.As(err, &aerr) || aerr.MsgType != "image" {
		return false
	}
	switch aerr.Code {
	case codeBusy, codeRateLimit, codeConcurrency, codeBadWebhook:
		return false
	}
	return true
}

// String names the notifier; the robot's key stays hidden.
func (n *Notifier) String() string { return "wecom channel " + n.name + " (" + n.robot.String() + ")" }

// mentionsPeople reports whether m is an event that calls people: a firing
// alert or a reminder. A resolution needs nobody's attention.
func mentionsPeople(m *notify.Message) bool {
	return m.Kind == alert.KindFiring || m.Kind == alert.KindReminder
}

// plan builds the messages of m in the order they are sent.
func (n *Notifier) plan(m *notify.Message) []*webhookMsg {
	var extra []*webhookMsg
	if img := n.chart(m); img != nil {
		extra = append(extra, img)
	}
	mentions := ""
	if mentionsPeople(m) {
		mentions = n.mentions
		if t := n.mentionText(m); t != nil {
			extra = append(extra, t)
		}
	}
	var alerts amtemplate.Alerts
	externalURL := ""
	if m.Data != nil {
		alerts, externalURL = m.Data.Alerts, m.Data.ExternalURL
	}
	// A set never needs more than one window of the robot's limit.
	maxParts := max(1, n.robot.rate.Events-len(extra))
	var plan []*webhookMsg
	for _, p := range layout(n.render(m), mentions, maxParts, alerts, externalURL) {
		plan = append(plan, &webhookMsg{MsgType: "markdown", Markdown: &markdownBody{Content: p}})
	}
	if len(plan) == 0 {
		return nil
	}
	return append(plan, extra...)
}

// chart returns the image message of m's chart, or nil: when the channel
// sends no images, for folded messages (no single metric to draw), for
// resolved events with graph.on_resolve none, and when the chart cannot be
// made to fit WeCom's limits (logged).
func (n *Notifier) chart(m *notify.Message) *webhookMsg {
	if m.Image == nil || m.Folded || !n.cfg.ImagesEnabled() {
		return nil
	}
	if m.Kind == alert.KindResolved && n.onResolve == config.OnResolveNone {
		return nil
	}
	raw, shrunk, err := fitImage(m.Image.PNG, n.maxImage)
	if err != nil {
		n.logger.Warn("sending the message without its chart", "kind", m.Kind, "reason", err)
		return nil
	}
	if shrunk != "" {
		n.logger.Debug("chart re-encoded to fit WeCom's image limit",
			"from_bytes", len(m.Image.PNG), "to_bytes", len(raw), "size", shrunk)
	}
	return imageMessage(raw)
}
