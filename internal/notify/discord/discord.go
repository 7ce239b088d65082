// Package discord delivers alert messages to Discord channels through
// channel webhooks: one embed per alert, coloured by severity, with the
// chart uploaded as a file and shown in the embed; resolved events edit the
// firing message in place (its chart replaced by the resolved one) and post
// a short note, since webhooks cannot reply. Every request waits on the
// webhook's rate limiter, which follows Discord's X-RateLimit-* headers.
package discord

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// maxUsername is the longest webhook name Discord takes; names containing
// "discord" or "clyde" are refused
// (https://discord.com/developers/docs/resources/webhook#create-webhook).
const maxUsername = 80

// Notifier sends to one Discord webhook. It is safe for concurrent use:
// nothing in it changes after New.
type Notifier struct {
	name   string
	cfg    *Config
	hook   *Webhook
	client *http.Client // from the channel's http_config
	tmpl   *template.Templates
	logger *slog.Logger
}

var (
	_ notify.Notifier = (*Notifier)(nil)
	_ notify.Warmer   = (*Notifier)(nil)
)

// New makes the notifier of the channel called name. hook is shared by
// every channel with the same webhook (see Get). It refuses a username
// Discord would refuse with every message.
func New(name string, cfg *Config, hook *Webhook, tmpl *template.Templates, logger *slog.Logger) (*Notifier, error) {
	if cfg == nil || hook == nil || tmpl == nil {
		return nil, errors.New("discord: config, webhook and templates are required")
	}
	if u := strings.ToLower(cfg.Username); strings.Contains(u, "discord") || strings.Contains(u, "clyde") {
		return nil, fmt.Errorf("discord: username %q is refused by Discord (it must not contain \"discord\" or \"clyde\")", cfg.Username)
	}
	if units(cfg.Username) > maxUsername {
		return nil, fmt.Errorf("discord: username is longer than Discord's %d characters", maxUsername)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The channel's own client (its http_config): the webhook, shared
	// with other channels, keeps only the rate limit.
	rt, err := httpconf.RoundTripper(cfg.HTTPConfig, "discord")
	if err != nil {
		return nil, fmt.Errorf("discord channel %s: %w", name, err)
	}
	// The token is in the URL's path: no redirect is followed.
	client := notify.HTTPClient(rt, requestTimeout)
	return &Notifier{name: name, cfg: cfg, hook: hook, client: client, tmpl: tmpl, logger: logger.With("channel", name)}, nil
}

// Notify sends m as one message, with the chart when there is one. A
// resolved event whose firing message Herald sent edits that message into
// the resolved one (see resolveInPlace). It returns one Ref (part 0).
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	if m.SentParts > 0 {
		return nil, false, nil // the one part went out in an earlier attempt
	}
	img := n.chart(m)
	if id := n.editTarget(m); id != "" {
		if refs, done, retry, err := n.resolveInPlace(ctx, m, id, img); done {
			return refs, retry, err
		}
	}
	p := n.buildFull(m, img != nil)
	n.identify(p)
	msg, retry, err := n.hook.execute(ctx, n.client, p, img)
	if err != nil {
		return nil, retry, err
	}
	n.logger.Debug("sent", "kind", m.Kind, "alerts", len(alertsOf(m)), "embeds", len(p.Embeds), "chart", img != nil)
	return []notify.Ref{n.ref(m, msg, img != nil)}, false, nil
}

// Warm counts the requests another replica made through the channel at
// the times of sent against the webhook's limits, which every channel of
// the webhook shares.
func (n *Notifier) Warm(sent []time.Time) { n.hook.record(sent) }

// identify sets the name and avatar the message is posted under.
func (n *Notifier) identify(p *payload) {
	p.Username, p.AvatarURL = n.cfg.Username, n.cfg.AvatarURL
}

// chart returns the chart of m to upload, or nil. A chart Discord would
// refuse is left out, with the reason logged: a refused upload would fail
// the whole message.
func (n *Notifier) chart(m *notify.Message) *chart {
	if m.Image == nil || len(alertsOf(m)) != 1 {
		return nil
	}
	if err := checkChart(m.Image.PNG); err != nil {
		n.logger.Warn("sending the message without its chart", "kind", m.Kind, "reason", err)
		return nil
	}
	return &chart{png: m.Image.PNG, alt: m.Image.Alt}
}

// ref is the reference of the message sent for m.
func (n *Notifier) ref(m *notify.Message, msg *sentMessage, media bool) notify.Ref {
	return notify.Ref{Part: 0, ChatID: msg.ChannelID, ThreadID: n.hook.threadID(), MessageID: msg.ID,
		Folded: m.Folded || len(alertsOf(m)) > 1, Media: media}
}

// editTarget returns the id of the firing message that a resolved m
// edits, or "": only a message about this one alert, sent by this webhook
// in the same thread, can be rewritten to say that it is over.
func (n *Notifier) editTarget(m *notify.Message) string {
	if m.Kind != alert.KindResolved || m.Folded || len(alertsOf(m)) != 1 || len(m.Previous) == 0 {
		return ""
	}
	first := slices.MinFunc(m.Previous, func(a, b notify.Ref) int { return cmp.Compare(a.Part, b.Part) })
	if first.Folded || first.MessageID == "" || first.ThreadID != n.hook.threadID() {
		return ""
	}
	return first.MessageID
}

// resolveInPlace edits the firing message id into the resolved one (its
// chart replaced by img, the resolved chart, when there is one) and posts
// a short resolved note, because an edit notifies nobody and webhooks
// cannot reply. The edit comes first: when it fails in a way worth
// retrying, nothing was posted and the whole event is tried again; when
// the firing message is gone (deleted, or the webhook changed), done is
// false and the caller posts the resolved message in full instead.
func (n *Notifier) resolveInPlace(ctx context.Context, m *notify.Message, id string, img *chart) (refs []notify.Ref, done, retry bool, err error) {
	if err := n.fits(ctx, 2); err != nil {
		return nil, true, true, err
	}
	if _, retry, err := n.hook.edit(ctx, n.client, id, n.buildFull(m, img != nil), img); err != nil {
		if retry {
			return nil, true, true, err
		}
		n.logger.Info("cannot edit the firing message; posting the resolved message in full", "message_id", id, "err", err)
		return nil, false, false, nil
	}
	n.logger.Debug("edited the firing message", "message_id", id, "chart", img != nil)
	p := n.buildShort(m)
	n.identify(p)
	msg, retry, err := n.hook.execute(ctx, n.client, p, nil)
	if err != nil {
		return nil, true, retry, err
	}
	return []notify.Ref{n.ref(m, msg, false)}, true, false, nil
}

// fits refuses to start a delivery of calls requests that the webhook's
// rate limit would cut before ctx ends, so that an edit is never left
// without its note: the *notify.ThrottledError makes the dispatcher pause
// the channel without counting a failed attempt (see notify.Fits).
func (n *Notifier) fits(ctx context.Context, calls int) error {
	return notify.Fits(ctx, calls, n.hook.delay(calls), n.hook.idle(calls))
}

// String names the notifier; the webhook's token stays hidden.
func (n *Notifier) String() string { return "discord channel " + n.name + " (" + n.hook.String() + ")" }
