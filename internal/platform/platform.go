// Package platform describes a chat platform to the rest of Herald: its
// name (the channel's `<name>:` section), its default templates and how a
// channel's notifier is built. Each platform package exports one
// Platform; internal/platforms lists them.
package platform

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// Platform is one chat platform.
type Platform struct {
	// Name is the key of the channel's section (channels[].<name>:) and
	// the platform label of metrics and logs.
	Name string
	// Templates holds the platform's default templates (*.tmpl at its
	// root), parsed by template.New with Herald's own; nil when the
	// platform's templates are among Herald's shared ones (telegram,
	// console) or it has none (webhook).
	Templates fs.FS
	// DefaultMessage is the template body of a message when the channel
	// sets none; "" for a platform that sends data, not text (webhook).
	DefaultMessage string
	// NewConfig returns the platform's section of a channel with its
	// defaults (a pointer to the package's Config), for the config loader
	// to decode channels[].<Name>: into.
	NewConfig func() config.Section
	// Example is the smallest valid section in YAML flow style, with
	// which internal/platforms' test builds a channel of the platform.
	Example string
	// Build makes the notifier of ch, a channel of this platform; ch.Section
	// is what NewConfig returned, decoded and validated.
	Build func(env *Env, cfg *config.Config, ch *config.ChannelConfig) (notify.Notifier, error)
}

// Env is what the app hands every builder.
type Env struct {
	Logger *slog.Logger
	// Templates are the parsed templates of the configuration.
	Templates *template.Templates
	// Shared holds what notifiers share across channels and reloads
	// (rate limiters, bots, HTTP clients); the app owns it.
	Shared *notify.Shared
	// Stdout is where the console platform prints.
	Stdout io.Writer
}

// Templates returns the default template sets of ps, for template.New.
func Templates(ps []Platform) []fs.FS {
	var out []fs.FS
	for _, p := range ps {
		if p.Templates != nil {
			out = append(out, p.Templates)
		}
	}
	return out
}

// Configs returns what the config loader needs of ps: each platform's
// name and section.
func Configs(ps []Platform) []config.Platform {
	out := make([]config.Platform, len(ps))
	for i, p := range ps {
		out[i] = config.Platform{Name: p.Name, New: p.NewConfig}
	}
	return out
}

// Find returns the platform called name in ps.
func Find(ps []Platform, name string) (Platform, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return Platform{}, false
}

// Section returns the channel's section as the platform's config type T,
// or an error naming what it holds instead: a builder is only handed its
// own platform's channels, but a channel built in code can hold anything.
func Section[T any](ch *config.ChannelConfig) (*T, error) {
	s, ok := any(ch.Section).(*T)
	if !ok || s == nil {
		return nil, fmt.Errorf("channel %s: the %s section is %T, want %T", ch.Name, ch.Platform, ch.Section, s)
	}
	return s, nil
}
