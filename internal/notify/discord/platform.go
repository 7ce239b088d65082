package discord

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
)

// Platform describes Discord to Herald (see internal/platforms).
func Platform() platform.Platform {
	return platform.Platform{Name: "discord", Templates: FS, DefaultMessage: DefaultMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{url: 'https://discord.com/api/webhooks/1/t0k'}"

// build makes the notifier of a discord channel. Webhooks come from
// env.Shared, so that channels sharing a webhook URL, and the channels of
// a reloaded config, share its rate limit.
func build(env *platform.Env, _ *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	hook, err := Get(env.Shared, string(c.URL))
	if err != nil {
		return nil, err
	}
	n, err := New(ch.Name, c, hook, env.Templates, env.Logger)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return n, nil
}
