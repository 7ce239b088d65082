package console

import (
	"os"
	"path/filepath"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/platform"
	"github.com/heraldhq/herald/internal/template"
)

// Platform describes the console to Herald (see internal/platforms). Its
// templates are among Herald's shared ones (internal/template's
// default.tmpl).
func Platform() platform.Platform {
	return platform.Platform{Name: "console", DefaultMessage: template.DefaultConsoleMessage, NewConfig: newConfig, Example: example, Build: build}
}

// example is the smallest valid section, for internal/platforms' test.
const example = "{}"

func build(env *platform.Env, cfg *config.Config, ch *config.ChannelConfig) (notify.Notifier, error) {
	c, err := platform.Section[Config](ch)
	if err != nil {
		return nil, err
	}
	w := env.Stdout
	if w == nil {
		w = os.Stdout
	}
	// Charts are saved under the data directory and their path printed,
	// so that the console shows what a chat would get.
	return New(c, env.Templates, w, WithChartDir(filepath.Join(cfg.DataDir, "charts"))), nil
}
