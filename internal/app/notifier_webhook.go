package app

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/webhook"
	"github.com/heraldhq/herald/internal/template"
)

func init() { builders = append(builders, buildWebhook) }

// buildWebhook makes the notifier of a webhook: channel, which posts
// Herald's event JSON (no templates: the receiver gets the data).
func buildWebhook(a *App, _ *config.Config, ch *config.ChannelConfig, _ *template.Templates) (notify.Notifier, error) {
	if ch.Webhook == nil {
		return nil, nil
	}
	n, err := webhook.New(ch.Name, ch.Webhook, a.logger)
	if err != nil {
		return nil, err
	}
	return n, nil
}
