package app

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/teams"
	"github.com/heraldhq/herald/internal/template"
)

func init() { builders = append(builders, buildTeams) }

// buildTeams makes the notifier of a Microsoft Teams channel. The webhook
// comes from the teams package's registry, so that its rate limit is
// shared by every channel posting to the same URL and survives reloads.
func buildTeams(a *App, _ *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error) {
	if ch.Teams == nil {
		return nil, nil
	}
	hook, err := teams.Shared(a.shared, string(ch.Teams.URL))
	if err != nil {
		return nil, err
	}
	return teams.New(ch.Name, ch.Teams, hook, tmpl, a.logger), nil
}
