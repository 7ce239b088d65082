package wecom

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
)

// Platform describes WeCom to Herald (see internal/platforms).
func Platform() platform.Platform {
	return platform.Platform{Name: "wecom", Templates: FS, DefaultMessage: DefaultMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k3y'}"

// build makes the notifier of a wecom channel. Its robot comes from
// env.Shared by URL, so that every channel posting to one robot, across
// reloads too, shares one rate limiter.
func build(env *platform.Env, cfg *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	robot, err := SharedRobot(env.Shared, string(c.URL))
	if err != nil {
		return nil, err
	}
	n, err := New(ch.Name, c, robot, env.Templates, env.Logger, WithChartOnResolve(cfg.Graph.OnResolve))
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return n, nil
}
