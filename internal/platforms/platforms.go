// Package platforms is the list of the chat platforms Herald delivers to.
// Registering a platform is one line here; the app builds notifiers and
// parses default templates from this list.
package platforms

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify/console"
	"github.com/heraldhq/herald/internal/notify/dingtalk"
	"github.com/heraldhq/herald/internal/notify/discord"
	"github.com/heraldhq/herald/internal/notify/feishu"
	"github.com/heraldhq/herald/internal/notify/mattermost"
	"github.com/heraldhq/herald/internal/notify/slack"
	"github.com/heraldhq/herald/internal/notify/teams"
	"github.com/heraldhq/herald/internal/notify/telegram"
	"github.com/heraldhq/herald/internal/notify/webhook"
	"github.com/heraldhq/herald/internal/notify/wecom"
	"github.com/heraldhq/herald/internal/platform"
)

// All returns every platform, in the order config errors name them.
func All() []platform.Platform {
	return []platform.Platform{
		telegram.Platform(),
		console.Platform(),
		dingtalk.Platform(),
		wecom.Platform(),
		teams.Platform(),
		slack.Platform(),
		discord.Platform(),
		webhook.Platform(),
		feishu.Platform(),
		mattermost.Platform(),
	}
}

// Configs returns the platforms as the config loader knows them (their
// sections), for config.Load, Resolve and NewCoordinator.
func Configs() []config.Platform { return platform.Configs(All()) }
