package app

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/slack"
	"github.com/heraldhq/herald/internal/template"
)

func init() { builders = append(builders, buildSlack) }

// buildSlack makes the notifier of a Slack channel. Channels with the same
// webhook URL or bot token share one rate limiter, kept by the slack
// package across reloads.
func buildSlack(a *App, _ *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error) {
	if ch.Slack == nil {
		return nil, nil
	}
	n, err := slack.New(ch.Name, ch.Slack, a.shared, tmpl, a.logger)
	if err != nil {
		return nil, err
	}
	return n, nil
}
