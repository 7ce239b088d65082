package app

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/wecom"
	"github.com/heraldhq/herald/internal/template"
)

func init() { builders = append(builders, buildWeCom) }

// buildWeCom makes the notifier of a wecom channel. Its robot comes from
// the wecom package's registry by URL, so that every channel posting to one
// robot, across reloads too, shares one rate limiter.
func buildWeCom(a *App, cfg *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error) {
	if ch.WeCom == nil {
		return nil, nil
	}
	robot, err := wecom.SharedRobot(a.shared, string(ch.WeCom.URL))
	if err != nil {
		return nil, err
	}
	n, err := wecom.New(ch.Name, ch.WeCom, robot, tmpl, a.logger, wecom.WithChartOnResolve(cfg.Graph.OnResolve))
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return n, nil
}
