package feishu

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
)

// Platform describes Feishu (and Lark) to Herald (see internal/platforms).
func Platform() platform.Platform {
	return platform.Platform{Name: "feishu", Templates: Templates, DefaultMessage: DefaultMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{url: 'https://open.feishu.cn/open-apis/bot/v2/hook/0fa4e7c2-1234-4e2b-9c3d-abcdef012345'}"

// build makes the notifier of a feishu channel. Channels posting to the
// same bot share its rate limit, and those of one app its tenant token,
// through env.Shared, which the app keeps across reloads.
func build(env *platform.Env, _ *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	return New(ch.Name, c, env.Templates, env.Logger, WithShared(env.Shared))
}
