package config_test

import (
	"github.com/heraldhq/herald/internal/notify/telegram"
	"log/slog"
	"strings"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
)

// The loader's tests run with Herald's platforms, as `herald` does.

func load(path string, getenv func(string) string, envToken config.Secret) (*config.Config, error) {
	return config.LoadEnv(path, getenv, envToken, platforms.Configs())
}

func loadAll(path string) (*config.Config, error) { return config.Load(path, platforms.Configs()) }

func resolveAll(path string, explicit bool, getenv func(string) string) (*config.Config, error) {
	return config.Resolve(path, explicit, getenv, platforms.Configs())
}

func newCoordinator(path string, explicit bool, getenv func(string) string, logger *slog.Logger) (*config.Coordinator, error) {
	return config.NewCoordinator(path, explicit, getenv, logger, platforms.Configs())
}

// tgOf is the telegram section of ch, nil when ch is not a telegram channel.
func tgOf(ch *config.ChannelConfig) *telegram.Config {
	c, _ := ch.Section.(*telegram.Config)
	return c
}

// platformNames are the names of Herald's platforms as "want one of" lists
// them.
func platformNames() string {
	var names []string
	for _, p := range platforms.Configs() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}
