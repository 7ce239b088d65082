package config

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/prometheus/alertmanager/pkg/labels"
)

// channelName keeps names safe in URLs (/api/v1/alerts/{channel}), metric
// labels and chat commands.
var channelName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// checkChannels checks every channel, and adds the console channel when
// there is none, so that Herald always has somewhere to deliver.
func (l *loader) checkChannels(c *Config) {
	if len(c.Channels) == 0 && !l.hasFailed("channels") {
		if ch, ok := l.consoleChannel(); ok {
			c.Channels = []ChannelConfig{ch}
			if c.DefaultChannel == "" {
				c.DefaultChannel = ConsoleChannelName
			}
		}
		return
	}
	seen := map[string]string{}
	for i := range c.Channels {
		ch := &c.Channels[i]
		p := channelPath(i)
		if l.hasFailed(p) {
			continue
		}
		l.checkChannelName(p, ch.Name, seen)
		switch set := l.platformsSet[p]; len(set) {
		case 0:
			if !l.unknown[p] && ch.Section == nil {
				l.fieldErrorf(p, "no platform set (want one of: %s)", platformNames(l.platforms))
			}
		case 1:
		default:
			l.fieldErrorf(p, "%s are both set; a channel has exactly one platform", strings.Join(set, " and "))
		}
		if ch.StormThreshold != nil && *ch.StormThreshold < 0 {
			l.fieldErrorf(p+".storm_threshold", "must not be negative (0 disables folding)")
		}
		l.checkSection(c, p, ch)
	}
}

// consoleChannel is the channel used when none is configured, when the
// console platform is in the list.
func (l *loader) consoleChannel() (ChannelConfig, bool) {
	p, ok := l.findPlatform(ConsoleChannelName)
	if !ok {
		return ChannelConfig{}, false
	}
	ch := DefaultChannelConfig()
	ch.Name = ConsoleChannelName
	ch.Platform, ch.Section = p.Name, p.New()
	return ch, true
}

func (l *loader) checkChannelName(p, name string, seen map[string]string) {
	field := p + ".name"
	switch {
	case l.hasFailed(field):
	case name == "":
		if l.mayRequire(field) {
			l.fieldErrorf(field, "required")
		}
	case !channelName.MatchString(name):
		l.fieldErrorf(field, "invalid channel name %q (use letters, digits, '_', '.' and '-')", name)
	case seen[name] != "":
		l.fieldErrorf(field, "duplicate channel name %q (also %s)", name, seen[name])
	default:
		seen[name] = p
	}
}

// checkRoutes parses matchers into Parsed and checks that every route
// delivers to channels that exist.
func (l *loader) checkRoutes(c *Config) {
	for i := range c.Routes {
		r := &c.Routes[i]
		p := indexPath("routes", i)
		if l.hasFailed(p) {
			continue
		}
		r.Parsed = nil
		for j, s := range r.Matchers {
			// One string may hold several matchers ("a=1, b=~x"), as in
			// Alertmanager's matchers: list.
			ms, err := labels.ParseMatchers(s)
			if err != nil {
				l.fieldErrorf(indexPath(p+".matchers", j), "invalid matcher %q: %v", s, err)
				continue
			}
			r.Parsed = append(r.Parsed, ms...)
		}
		if len(r.Channels) == 0 && l.mayRequire(p+".channels") {
			l.fieldErrorf(p+".channels", "a route needs at least one channel")
		}
		for j, name := range r.Channels {
			if c.Channel(name) == nil {
				l.fieldErrorf(indexPath(p+".channels", j), "unknown channel %q", name)
			}
		}
		l.positive(p+".repeat_interval", r.RepeatInterval)
	}
}

// checkDefaultChannel makes the first channel the default when none is
// named, so that unrouted alerts are never dropped.
func (l *loader) checkDefaultChannel(c *Config) {
	if l.hasFailed("default_channel") {
		return
	}
	if c.DefaultChannel == "" {
		if len(c.Channels) > 0 {
			c.DefaultChannel = c.Channels[0].Name
		}
		return
	}
	if c.Channel(c.DefaultChannel) == nil {
		l.fieldErrorf("default_channel", "unknown channel %q", c.DefaultChannel)
	}
}

// checkTemplates makes every pattern absolute (relative to the config
// file's directory, so that the process's working directory does not
// matter) and requires each to match a file: a typo would otherwise leave
// messages on the built-in template without a word.
func (l *loader) checkTemplates(c *Config) {
	for i, pattern := range c.Templates {
		p := indexPath("templates", i)
		if l.hasFailed(p) || l.hasFailed("templates") {
			continue
		}
		abs := pattern
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(l.dir, abs)
		}
		files, err := filepath.Glob(abs)
		switch {
		case err != nil:
			l.fieldErrorf(p, "invalid pattern %q: %v", pattern, err)
		case len(files) == 0:
			l.fieldErrorf(p, "%q matches no file", pattern)
		}
		c.Templates[i] = abs
	}
}
