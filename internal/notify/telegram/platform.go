package telegram

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
	tg "github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/template"
)

// Platform describes Telegram to Herald (see internal/platforms). Its
// templates are among Herald's shared ones (internal/template's
// default.tmpl), which the other platforms' build on.
func Platform() platform.Platform {
	return platform.Platform{Name: "telegram", DefaultMessage: template.DefaultTelegramMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{chat_id: 42, bot_token: '123:abc'}"

// build makes the notifier of a telegram channel. Clients come from
// env.Shared by token, API URL and proxy, so that rate limits carry over
// a reload.
func build(env *platform.Env, cfg *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	bot, err := tg.SharedClients(env.Shared, env.Logger).Get(BotConfig(cfg, ch.Section.(*Config)))
	if err != nil {
		return nil, err
	}
	n := New(ch.Name, ch.Section.(*Config), bot, env.Templates, env.Logger, WithChartOnResolve(cfg.Graph.OnResolve))
	if cfg.Telegram.Mode != config.BotOff {
		n.keyboards = sharedKeyboards(env.Shared)
	}
	return n, nil
}
