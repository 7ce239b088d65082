package teams

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
)

// Platform describes Microsoft Teams to Herald (see internal/platforms).
func Platform() platform.Platform {
	return platform.Platform{Name: "teams", Templates: FS, DefaultMessage: DefaultMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{url: 'https://example.webhook.office.com/workflows/x?sig=s1g'}"

// build makes the notifier of a teams channel. The webhook comes from
// env.Shared, so that its rate limit is shared by every channel posting
// to the same URL and survives reloads.
func build(env *platform.Env, _ *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	hook, err := Shared(env.Shared, string(c.URL))
	if err != nil {
		return nil, err
	}
	n := New(ch.Name, c, hook, env.Templates, env.Logger)
	if n.err != nil {
		return nil, n.err
	}
	return n, nil
}
