package dingtalk

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
)

// Platform describes DingTalk to Herald (see internal/platforms).
func Platform() platform.Platform {
	return platform.Platform{Name: "dingtalk", Templates: FS, DefaultMessage: DefaultMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{url: 'https://oapi.dingtalk.com/robot/send?access_token=t0k'}"

// build makes the notifier of a dingtalk channel. Channels posting to the
// same robot share its rate limit through env.Shared, which the app keeps
// across reloads.
func build(env *platform.Env, _ *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	return New(ch.Name, c, env.Templates, env.Logger, WithShared(env.Shared))
}
