package webhook

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
)

// Platform describes the generic webhook to Herald (see
// internal/platforms). It has no templates: the receiver gets the data.
func Platform() platform.Platform {
	return platform.Platform{Name: "webhook", NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{url: 'https://receiver.example/hook'}"

func build(env *platform.Env, _ *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	n, err := New(ch.Name, c, env.Logger)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return n, nil
}
