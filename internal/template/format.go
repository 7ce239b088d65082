package template

import "html"

// Format is what a message is rendered into: how templates escape values,
// how the built-in text of last resort is escaped, and what the platform
// refuses. Each platform hands Templates.Execute the format of its API, so
// that the engine knows no platform by name.
type Format struct {
	// Name is logged with template errors ("text", "telegram-html").
	Name string
	// HTML executes templates with html/template, which escapes every
	// value for where it stands (text, attribute, URL); otherwise
	// text/template, and the platform escapes the data (see Escaped).
	HTML bool
	// Escape writes the plain built-in text's outside values in the
	// format; nil leaves them as they are.
	Escape func(string) string
	// Check refuses a rendered text the platform would refuse, so that the
	// fallback is sent instead of an error that loses the alert; nil
	// accepts any text.
	Check func(string) error
}

// Text is plain text: text/template, no check. Platforms whose markup is
// not HTML escape their data instead (see Escaped).
var Text = Format{Name: "text"}

// TelegramHTML is Telegram's parse_mode=HTML: html/template escaping, the
// fallback escaped with html.EscapeString (it writes only &lt; &gt; &amp;
// and numeric entities, all of which Telegram accepts), and
// CheckTelegramHTML, since Telegram refuses a message it cannot parse.
var TelegramHTML = Format{Name: "telegram-html", HTML: true, Escape: html.EscapeString, Check: CheckTelegramHTML}

// escape applies f.Escape, if any.
func (f Format) escape(s string) string {
	if f.Escape == nil {
		return s
	}
	return f.Escape(s)
}
