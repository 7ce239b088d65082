package mattermost

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
)

// Platform describes Mattermost to Herald (see internal/platforms).
func Platform() platform.Platform {
	return platform.Platform{Name: "mattermost", Templates: FS, DefaultMessage: DefaultMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{url: 'https://mm.example.com/hooks/xq7s9ht4wbnbdpdsfhhgzbzq4c'}"

// limiterKey keys the limiter of every Mattermost channel in a
// notify.Shared.
type limiterKey struct{}

// build makes the notifier of a mattermost channel. Mattermost counts
// requests per remote address, so every channel counts against one
// limiter, kept in env.Shared across reloads (keyed inside by server).
func build(env *platform.Env, _ *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	l, _ := notify.Share(env.Shared, limiterKey{}, func() (*notify.Limiter, error) { return NewLimiter(), nil })
	n, err := New(ch.Name, c, env.Templates, env.Logger, WithLimiter(l))
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return n, nil
}
