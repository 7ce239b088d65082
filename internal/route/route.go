// Package route decides which channels an alert goes to: the configured
// routes in order, Alertmanager matcher syntax, `continue`, and the default
// channel when nothing matches.
package route

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/common/model"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
)

// defaultRepeatInterval applies when a route asks for reminders without
// saying how often.
const defaultRepeatInterval = time.Hour

// Router is an immutable routing table built from one configuration and
// the bot's subscriptions.
type Router struct {
	routes   []config.RouteConfig
	def      string
	resolved map[string]bool
	subs     []Subscription
}

// Subscription is a Telegram chat's subscription (/subscribe): alerts that
// match go to the chat's own channel (see SubscriptionChannel), beside
// the routes. It takes nothing from the routes or the default channel.
type Subscription struct {
	Channel string
	// Matchers all match, or Regexp matches the alert name (a search:
	// anywhere in the name unless anchored).
	Matchers labels.Matchers
	Regexp   *regexp.Regexp
}

// Matches reports whether the alert with labels ls is for s.
func (s *Subscription) Matches(ls model.LabelSet) bool {
	if s.Regexp != nil {
		return s.Regexp.MatchString(string(ls[model.AlertNameLabel]))
	}
	return len(s.Matchers) > 0 && s.Matchers.Matches(ls)
}

// SubscriptionChannel is the channel of a chat's subscriptions. Its
// name cannot clash with a configured one, which may not hold ':'.
func SubscriptionChannel(chatID int64) string { return "telegram:" + strconv.FormatInt(chatID, 10) }

// SubscriptionChat is the chat of a SubscriptionChannel name.
func SubscriptionChat(channel string) (int64, bool) {
	rest, ok := strings.CutPrefix(channel, "telegram:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

// New builds the routing table of a validated configuration and the
// current subscriptions.
func New(cfg *config.Config, subs ...Subscription) *Router {
	r := &Router{routes: cfg.Routes, def: cfg.DefaultChannel, resolved: map[string]bool{}, subs: subs}
	for _, ch := range cfg.Channels {
		r.resolved[ch.Name] = ch.SendResolved == nil || *ch.SendResolved
	}
	for _, s := range subs {
		r.resolved[s.Channel] = true
	}
	return r
}

// Has reports whether a channel of that name is configured.
func (r *Router) Has(channel string) bool {
	_, ok := r.resolved[channel]
	return ok
}

// Targets returns the channels an alert with these labels goes to, each
// once, with the options of the first route that chose it.
func (r *Router) Targets(labels amtemplate.KV) []alert.Target {
	ls := make(model.LabelSet, len(labels))
	for k, v := range labels {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	var out []alert.Target
	seen := map[string]bool{}
	add := func(ch string, rt *config.RouteConfig) {
		if seen[ch] {
			return
		}
		seen[ch] = true
		t := alert.Target{Channel: ch, SendResolved: r.resolved[ch]}
		if rt != nil && rt.Repeat {
			t.Repeat, t.RepeatInterval = true, time.Duration(rt.RepeatInterval)
			if t.RepeatInterval <= 0 {
				t.RepeatInterval = defaultRepeatInterval
			}
		}
		out = append(out, t)
	}
	for i := range r.routes {
		rt := &r.routes[i]
		if !rt.Parsed.Matches(ls) {
			continue
		}
		for _, ch := range rt.Channels {
			add(ch, rt)
		}
		if !rt.Continue {
			break
		}
	}
	if len(out) == 0 && r.def != "" {
		add(r.def, nil)
	}
	for i := range r.subs {
		if r.subs[i].Matches(ls) {
			add(r.subs[i].Channel, nil)
		}
	}
	return out
}

// Direct is the target for a notification posted to one named channel,
// bypassing the routes.
func (r *Router) Direct(channel string) alert.Target {
	return alert.Target{Channel: channel, SendResolved: r.resolved[channel]}
}
