package app

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/dingtalk"
	"github.com/heraldhq/herald/internal/template"
)

func init() { builders = append(builders, buildDingTalk) }

// buildDingTalk makes the notifier of a dingtalk channel. Channels posting
// to the same robot share its rate limit inside the dingtalk package, which
// keeps it across reloads.
func buildDingTalk(a *App, _ *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error) {
	if ch.DingTalk == nil {
		return nil, nil
	}
	return dingtalk.New(ch.Name, ch.DingTalk, tmpl, a.logger, dingtalk.WithShared(a.shared))
}
