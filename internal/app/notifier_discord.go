package app

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/discord"
	"github.com/heraldhq/herald/internal/template"
)

func init() { builders = append(builders, buildDiscord) }

// buildDiscord makes the notifier of a discord: channel. Webhooks come from
// discord.Get, so that channels sharing a webhook URL, and the channels of
// a reloaded config, share its rate limit.
func buildDiscord(a *App, _ *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error) {
	if ch.Discord == nil {
		return nil, nil
	}
	hook, err := discord.Get(a.shared, string(ch.Discord.URL))
	if err != nil {
		return nil, err
	}
	n, err := discord.New(ch.Name, ch.Discord, hook, tmpl, a.logger)
	if err != nil {
		return nil, err
	}
	return n, nil
}
