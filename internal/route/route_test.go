package route

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/config"
)

func mustRoute(t *testing.T, rc config.RouteConfig) config.RouteConfig {
	t.Helper()
	for _, m := range rc.Matchers {
		ms, err := labels.ParseMatchers(m)
		if err != nil {
			t.Fatal(err)
		}
		rc.Parsed = append(rc.Parsed, ms...)
	}
	return rc
}

func TestTargets(t *testing.T) {
	no := false
	cfg := &config.Config{
		Channels: []config.ChannelConfig{{Name: "ops"}, {Name: "dev", SendResolved: &no}, {Name: "db"}, {Name: "all"}},
		Routes: []config.RouteConfig{
			mustRoute(t, config.RouteConfig{Matchers: []string{`severity="critical"`}, Channels: []string{"ops"}, Continue: true}),
			mustRoute(t, config.RouteConfig{Matchers: []string{`job=~"node.*"`, `env!="test"`}, Channels: []string{"dev", "ops"}}),
			mustRoute(t, config.RouteConfig{Matchers: []string{`{service="db", severity=~"warn.*"}`}, Channels: []string{"db"}, Repeat: true}),
			mustRoute(t, config.RouteConfig{Matchers: []string{`team="x"`}, Channels: []string{"db"}, Repeat: true, RepeatInterval: config.Duration(3 * time.Hour)}),
		},
		DefaultChannel: "all",
	}
	r := New(cfg)
	cases := []struct {
		labels amtemplate.KV
		want   string
	}{
		{amtemplate.KV{"severity": "critical"}, "[{ops true false 0s}]"},
		{amtemplate.KV{"severity": "critical", "job": "node"}, "[{ops true false 0s} {dev false false 0s}]"},
		{amtemplate.KV{"job": "node-exporter", "env": "test"}, "[{all true false 0s}]"},
		{amtemplate.KV{"job": "nodes"}, "[{dev false false 0s} {ops true false 0s}]"},
		{amtemplate.KV{"service": "db", "severity": "warning"}, "[{db true true 1h0m0s}]"},
		{amtemplate.KV{"team": "x"}, "[{db true true 3h0m0s}]"},
		{amtemplate.KV{"alertname": "Other"}, "[{all true false 0s}]"},
	}
	for _, c := range cases {
		got := fmt.Sprint(r.Targets(c.labels))
		if got != c.want {
			t.Errorf("%v: got %s, want %s", c.labels, got, c.want)
		}
	}
	if !r.Has("ops") || r.Has("nope") {
		t.Error("Has")
	}
	if d := r.Direct("dev"); d.Channel != "dev" || d.SendResolved {
		t.Errorf("Direct %+v", d)
	}
}

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{
		Channels: []config.ChannelConfig{{Name: "ops"}, {Name: "all"}},
		Routes: []config.RouteConfig{
			mustRoute(t, config.RouteConfig{Matchers: []string{`severity="critical"`}, Channels: []string{"ops"}}),
		},
		DefaultChannel: "all",
	}
	crit, err := labels.ParseMatchers(`severity="critical", job=~"node.*"`)
	if err != nil {
		t.Fatal(err)
	}
	subs := []Subscription{
		{Channel: SubscriptionChannel(42), Matchers: crit},
		{Channel: SubscriptionChannel(-1001), Regexp: regexp.MustCompile(`Disk`)},
		{Channel: SubscriptionChannel(7)}, // neither: matches nothing
	}
	r := New(cfg, subs...)
	cases := []struct {
		labels amtemplate.KV
		want   string
	}{
		{amtemplate.KV{"alertname": "Up", "severity": "critical", "job": "node"}, "ops telegram:42"},
		{amtemplate.KV{"alertname": "Up", "severity": "critical", "job": "api"}, "ops"},
		// A subscription takes nothing from the default channel.
		{amtemplate.KV{"alertname": "NodeDiskFull", "severity": "warning"}, "all telegram:-1001"},
		{amtemplate.KV{"alertname": "NodeDiskFull", "severity": "critical", "job": "node-1"}, "ops telegram:42 telegram:-1001"},
		{amtemplate.KV{"alertname": "disk", "severity": "info"}, "all"},
	}
	for _, c := range cases {
		var got []string
		for _, tg := range r.Targets(c.labels) {
			got = append(got, tg.Channel)
			if !tg.SendResolved {
				t.Errorf("%v: %s does not send resolved", c.labels, tg.Channel)
			}
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("%v: targets %q, want %q", c.labels, s, c.want)
		}
	}
	if !r.Has("telegram:42") || r.Has("telegram:43") {
		t.Error("Has does not know the subscription channels")
	}
	if id, ok := SubscriptionChat("telegram:-1001"); !ok || id != -1001 {
		t.Errorf("SubscriptionChat = %d, %v", id, ok)
	}
	for _, bad := range []string{"ops", "telegram:", "telegram:x", "slack:1"} {
		if _, ok := SubscriptionChat(bad); ok {
			t.Errorf("SubscriptionChat(%q) is a chat", bad)
		}
	}
}
