package app

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/dispatch"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/console"
	"github.com/heraldhq/herald/internal/notify/telegram"
	"github.com/heraldhq/herald/internal/template"
)

// Setup builds the dispatcher's view of a configuration: templates parsed and
// one notifier per channel. Bots are shared across reloads, so their rate
// limits carry over.
func (a *App) Setup(cfg *config.Config) (*dispatch.Setup, error) {
	tmpl, err := template.New(cfg.Templates, a.logger)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	s := &dispatch.Setup{
		Channels:       map[string]dispatch.Channel{},
		InitialBackoff: cfg.Delivery.InitialBackoff.D(),
		MaxBackoff:     cfg.Delivery.MaxBackoff.D(),
		MaxAge:         cfg.Delivery.MaxAge.D(),
		Timeout:        cfg.Delivery.Timeout.D(),
		Secrets:        cfg.Secrets(),
	}
	charts, err := graph.Build(cfg, a.charts, a.publisher(), a.logger)
	if err != nil {
		return nil, err
	}
	if charts != nil {
		s.Charts = charts
	}
	for i := range cfg.Channels {
		ch := &cfg.Channels[i]
		n, err := a.notifier(cfg, ch, tmpl)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", ch.Name, err)
		}
		s.Channels[ch.Name] = dispatch.Channel{Notifier: n, StormThreshold: cfg.StormThreshold(ch)}
	}
	return s, nil
}

// builder makes the notifier of a channel's platform section, or returns
// (nil, nil) when the channel uses another platform. Each platform registers
// one in a file of its own (notifier_<platform>.go).
type builder func(a *App, cfg *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error)

// builders holds every platform's builder; filled by init functions.
var builders []builder

func init() { builders = append(builders, buildTelegram, buildConsole) }

func (a *App) notifier(cfg *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error) {
	for _, b := range builders {
		n, err := b(a, cfg, ch, tmpl)
		if err != nil || n != nil {
			return n, err
		}
	}
	return nil, fmt.Errorf("platform %q is not supported", ch.Platform())
}

func buildTelegram(a *App, cfg *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error) {
	if ch.Telegram == nil {
		return nil, nil
	}
	bot, err := telegram.SharedBots(a.shared, a.logger).Get(cfg.TelegramBot(ch.Telegram))
	if err != nil {
		return nil, err
	}
	return telegram.New(ch.Name, ch.Telegram, bot, tmpl, a.logger, telegram.WithChartOnResolve(cfg.Graph.OnResolve)), nil
}

func buildConsole(a *App, cfg *config.Config, ch *config.ChannelConfig, tmpl *template.Templates) (notify.Notifier, error) {
	if ch.Console == nil {
		return nil, nil
	}
	w := a.opts.Stdout
	if w == nil {
		w = os.Stdout
	}
	// Charts are saved under the data directory and their path printed,
	// so that the console shows what a chat would get.
	return console.New(ch.Console, tmpl, w, console.WithChartDir(filepath.Join(cfg.DataDir, "charts"))), nil
}
