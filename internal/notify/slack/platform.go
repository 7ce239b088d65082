package slack

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
)

// Platform describes Slack to Herald (see internal/platforms).
func Platform() platform.Platform {
	return platform.Platform{Name: "slack", Templates: FS, DefaultMessage: DefaultMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{webhook_url: 'https://hooks.slack.com/services/T/B/x'}"

// build makes the notifier of a slack channel. Channels with the same
// webhook URL or bot token share one client and rate limiter, kept in
// env.Shared across reloads.
func build(env *platform.Env, _ *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	n, err := New(ch.Name, c, env.Shared, env.Templates, env.Logger)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return n, nil
}
