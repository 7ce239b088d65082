package app

import (
	"fmt"
	"slices"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/dispatch"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/platform"
	"github.com/heraldhq/herald/internal/template"
)

// Setup builds the dispatcher's view of a configuration: templates parsed and
// one notifier per channel, each built by its platform (internal/platforms)
// with the app's notify.Shared, so that rate limits carry over reloads.
func (a *App) Setup(cfg *config.Config) (*dispatch.Setup, error) {
	tmpl, err := template.New(cfg.Templates, a.logger, platform.Templates(a.platforms)...)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	s := &dispatch.Setup{
		Channels:       map[string]dispatch.Channel{},
		InitialBackoff: cfg.Delivery.InitialBackoff.D(),
		MaxBackoff:     cfg.Delivery.MaxBackoff.D(),
		MaxAge:         cfg.Delivery.MaxAge.D(),
		Timeout:        cfg.Delivery.Timeout.D(),
		Secrets:        cfg.Secrets(),
	}
	var opts []graph.BuildOption
	if collecting(cfg) && a.store != nil {
		opts = append(opts, graph.WithHistory(a.store))
	}
	charts, err := graph.Build(cfg, a.charts, a.publisher(), a.logger, opts...)
	if err != nil {
		return nil, err
	}
	if charts != nil {
		s.Charts = charts
	}
	a.enricher.e.Store(charts)
	env := &platform.Env{Logger: a.logger, Templates: tmpl, Shared: a.shared, Stdout: a.opts.Stdout}
	channels := cfg.Channels
	if subs := a.subs.Load(); subs != nil && botRuns(cfg) {
		channels = append(slices.Clip(channels), subscriptionChannels(cfg, subs.chats)...)
	}
	for i := range channels {
		ch := &channels[i]
		p, ok := platform.Find(a.platforms, ch.Platform)
		if !ok {
			return nil, fmt.Errorf("channel %s: platform %q is not supported", ch.Name, ch.Platform)
		}
		n, err := p.Build(env, cfg, ch)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", ch.Name, err)
		}
		s.Channels[ch.Name] = dispatch.Channel{Notifier: n, StormThreshold: cfg.StormThreshold(ch)}
	}
	return s, nil
}
