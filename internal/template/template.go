// Package template renders alert messages with Go templates, Alertmanager's
// template functions and data, Herald's default templates and user files.
package template

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	tmplhtml "html/template"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	tmpltext "text/template"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/notify"
)

// defaults are Herald's shared default templates: default.tmpl (helpers,
// Telegram and console). The other platforms embed theirs in their own
// packages and the app passes them to New.
//
//go:embed *.tmpl
var defaults embed.FS

// The default message bodies of each platform; a channel's `message` setting
// replaces them, and they stay the fallback when that one fails.
const (
	// DefaultTelegramMessage renders Telegram HTML (Execute with TelegramHTML).
	DefaultTelegramMessage = `{{ template "telegram.herald.message" . }}`
	// DefaultConsoleMessage renders plain text.
	DefaultConsoleMessage = `{{ template "console.herald.message" . }}`
)

// Data is what message templates see: Alertmanager's notification data (so
// existing Alertmanager templates work unchanged) plus what Herald knows.
type Data struct {
	amtemplate.Data
	// Kind is "firing", "resolved" or "reminder".
	Kind string
	// Folded is true when several alert events were folded into one message.
	Folded bool
	// Channel is the name of the channel the message goes to.
	Channel string
	// Value is the current value of the charted query for the alert's
	// series, nil when it is not known (no Prometheus, no chart within
	// its budget, a folded list, a reminder); ValueText is it in the
	// query's unit ("93.2 %", "1.5 GiB", "250 ms").
	Value     *float64
	ValueText string
}

// NewData builds the template data of one message (the fields of a
// notify.Message), so that every notifier renders the same thing. d is
// copied shallowly: templates only read it. An empty kind is taken from
// d.Status.
func NewData(d *amtemplate.Data, kind string, folded bool, channel string) *Data {
	out := &Data{Kind: kind, Folded: folded, Channel: channel}
	if d != nil {
		out.Data = *d
	}
	if out.Kind == "" {
		out.Kind = out.Status
	}
	return out
}

// MessageData is NewData for a message to channel, with the current value
// of its chart.
func MessageData(m *notify.Message, channel string) *Data {
	d := NewData(m.Data, string(m.Kind), m.Folded, channel)
	if img := m.Image; img != nil && img.Value != nil {
		v := *img.Value
		d.Value, d.ValueText = &v, img.ValueText
	}
	return d
}

// Templates holds the parsed templates. It is safe for concurrent use.
type Templates struct {
	logger *slog.Logger
	tmpl   *amtemplate.Template
	clock  atomic.Pointer[func() time.Time]
}

// New parses Herald's default templates, the default templates of the
// platforms that keep theirs in their own package (every *.tmpl at the root
// of each of platforms), and the user's template files (glob patterns). A parse error names the file. User files are parsed
// last, so they may redefine any default template, as in Alertmanager.
func New(files []string, logger *slog.Logger, platforms ...fs.FS) (*Templates, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	t := &Templates{logger: logger}
	funcs := t.funcs()
	am, err := amtemplate.FromGlobs(nil, func(text *tmpltext.Template, html *tmplhtml.Template) {
		text.Funcs(funcs)
		html.Funcs(funcs)
	})
	if err != nil {
		return nil, fmt.Errorf("alertmanager default templates: %w", err)
	}
	for _, set := range append([]fs.FS{defaults}, platforms...) {
		if err := parseDefaults(am, set); err != nil {
			return nil, err
		}
	}
	for _, pattern := range files {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			return nil, fmt.Errorf("template files %q: %w", pattern, err)
		}
		if len(paths) == 0 {
			// Alertmanager allows this too (files may appear later), but
			// it is usually a typo worth seeing.
			logger.Warn("template pattern matches no file", "pattern", pattern)
		}
		for _, p := range paths {
			if err := parseFile(am, p, funcs); err != nil {
				return nil, err
			}
		}
	}
	t.tmpl = am
	return t, nil
}

// parseDefaults adds every *.tmpl at the root of set to am.
func parseDefaults(am *amtemplate.Template, set fs.FS) error {
	names, err := fs.Glob(set, "*.tmpl")
	if err != nil {
		return err
	}
	for _, name := range names {
		b, err := fs.ReadFile(set, name)
		if err != nil {
			return err
		}
		if err := am.Parse(bytes.NewReader(b)); err != nil {
			return fmt.Errorf("herald default templates (%s): %w", name, err)
		}
	}
	return nil
}

// parseFile adds one user file to am. The file is parsed on its own first,
// in a template named after it, because amtemplate's Parse would report a
// syntax error without the file name.
func parseFile(am *amtemplate.Template, path string, funcs map[string]any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read template file: %w", err)
	}
	check := tmpltext.New(path).Funcs(tmpltext.FuncMap(amtemplate.DefaultFuncs)).Funcs(funcs)
	if _, err := check.Parse(string(b)); err != nil {
		return fmt.Errorf("parse template file: %w", err)
	}
	if err := am.Parse(bytes.NewReader(b)); err != nil {
		return fmt.Errorf("parse template file %s: %w", path, err)
	}
	return nil
}

// SetClock replaces the clock behind the duration and time functions
// ("firing for 12m"); nil restores the system clock. Tests and
// `herald render` use it for reproducible output.
func (t *Templates) SetClock(now func() time.Time) {
	if now == nil {
		t.clock.Store(nil)
		return
	}
	t.clock.Store(&now)
}

func (t *Templates) now() time.Time {
	if f := t.clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// Execute renders text (a template body such as
// `{{ template "telegram.herald.message" . }}`) with d into format f
// (Text, TelegramHTML): f selects the template engine, and the result is
// then checked with f.Check, since a platform refuses a message it cannot
// parse and the alert would be lost. An empty text means fallback.
// When text fails (error, panic, empty or invalid result), the error is
// logged and fallback is rendered instead; when that fails too a plain
// built-in text is returned. It never returns an empty message.
func (t *Templates) Execute(text, fallback string, d *Data, f Format) string {
	if d == nil {
		d = &Data{}
	}
	if text == "" {
		text = fallback
	}
	log := t.logger.With("channel", d.Channel, "kind", d.Kind, "format", f.Name)
	out, err := t.render(text, d, f)
	if err == nil {
		return out
	}
	if fallback != "" && fallback != text {
		log.Error("message template failed, rendering the default", "err", err)
		if out, err = t.render(fallback, d, f); err == nil {
			return out
		}
	}
	log.Error("message template failed, sending a plain built-in text", "err", err)
	return plainText(d, f)
}

// render executes one template body and checks its result.
func (t *Templates) render(text string, d *Data, f Format) (out string, err error) {
	defer func() {
		// text/template turns panics inside functions into errors, but a
		// panic anywhere else must not take a delivery worker down.
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("template panicked: %v", r)
		}
	}()
	if t.tmpl == nil {
		return "", errors.New("templates not loaded")
	}
	if f.HTML {
		out, err = t.tmpl.ExecuteHTMLString(text, d)
	} else {
		out, err = t.tmpl.ExecuteTextString(text, d)
	}
	if err != nil {
		return "", err
	}
	// Chat APIs reject invalid UTF-8 outright; labels can carry anything.
	out = strings.TrimSpace(strings.ToValidUTF8(out, "\uFFFD"))
	if out == "" {
		return "", errors.New("template rendered an empty message")
	}
	if f.Check != nil {
		if err := f.Check(out); err != nil {
			return "", err
		}
	}
	return out, nil
}

// plainMaxAlerts bounds the built-in text like the default templates bound
// their lists, so that a storm gives one readable message.
const plainMaxAlerts = 30

// plainText is the message of last resort, built without templates so that
// it cannot fail: the status, then one line per alert, its outside values
// escaped by f.Escape.
func plainText(d *Data, f Format) string {
	esc := f.escape
	var b strings.Builder
	b.WriteString(plainHeader(d))
	b.WriteByte('\n')
	for i, a := range d.Alerts {
		if i == plainMaxAlerts {
			fmt.Fprintf(&b, "… and %d more\n", len(d.Alerts)-plainMaxAlerts)
			break
		}
		name := truncate(100, oneLine(a.Labels["alertname"]))
		if name == "" {
			name = "(unnamed alert)"
		}
		b.WriteString(alertEmoji(a) + " " + esc(name))
		if l := shortLabel(a); l != "" {
			b.WriteString(" " + esc(l))
		}
		b.WriteByte('\n')
	}
	// Say why the message looks bare, so that someone looks at the log.
	b.WriteString("(message template failed: see Herald's log)")
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

func plainHeader(d *Data) string {
	n := len(d.Alerts)
	alerts := "alerts"
	if n == 1 {
		alerts = "alert"
	}
	switch {
	case d.Kind == "reminder":
		return fmt.Sprintf("🔁 STILL FIRING: %d %s", n, alerts)
	case d.Kind == "resolved" || (d.Kind == "" && d.Status == "resolved"):
		return fmt.Sprintf("%s RESOLVED: %d %s", resolvedEmoji, n, alerts)
	default:
		return fmt.Sprintf("🔥 FIRING: %d %s", n, alerts)
	}
}
