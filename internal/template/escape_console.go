package template

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// Outside text is data: label and annotation values (and names) reach a
// template already neutralised for the platform, so that neither the
// default templates nor a channel's own can turn them into markup, links,
// mentions or terminal control sequences; only the template's own text
// counts. This file holds what every platform's escaping shares, and the
// console's; escape_dingtalk.go and escape_wecom.go hold the markdown
// platforms'.
//
// Each escaper replaces one character by one or more characters that are
// never markup, so that truncate and oneLine, which templates apply after
// the escaping, cannot cut an escape in half and leave something that acts
// on the template's own markup.

// Escaped is the template data of one message with its outside values
// neutralised, and what it takes to mend the links templates build from
// them.
type Escaped struct {
	// Data is what the templates see.
	Data *Data
	// mend replaces, in rendered text, the links built from neutralised
	// values by the links of the real values.
	mend *strings.Replacer
}

// Execute renders text (fallback when it fails) with e.Data, like
// Templates.Execute in text mode, and mends the result.
func (e *Escaped) Execute(t *Templates, text, fallback string) string {
	return e.Mend(t.Execute(text, fallback, e.Data, false))
}

// Mend turns the links that templates built from the neutralised values
// into the links of the real values:
//   - silenceURL gets the neutralised labels, so its filter would match
//     nothing; the whole URL is replaced by the one of the real labels;
//   - with targets set, a value that is an http(s) URL and stands alone as
//     a link target ("](value)") becomes that URL, percent-encoded so that
//     it cannot leave the parentheses (a runbook_url the template links).
//
// The neutralised values hold no "://" and no "]", so none of them can be
// taken for these.
func (e *Escaped) Mend(s string) string {
	if e.mend == nil {
		return s
	}
	return e.mend.Replace(s)
}

// neutralise copies d with every outside string passed through text:
// label and annotation names and values of the alerts and of the common
// and group labels, and the receiver. The generator and external URLs are
// kept when they are http(s), percent-encoded by LinkURL, and dropped
// otherwise. With targets, Mend also restores URL values used as link
// targets.
func neutralise(d *Data, text func(string) string, targets bool) *Escaped {
	if d == nil {
		d = &Data{}
	}
	out := *d
	out.Receiver = text(d.Receiver)
	out.GroupLabels = neutraliseKV(d.GroupLabels, text)
	out.CommonLabels = neutraliseKV(d.CommonLabels, text)
	out.CommonAnnotations = neutraliseKV(d.CommonAnnotations, text)
	out.ExternalURL = LinkURL(d.ExternalURL)
	var pairs []string
	seen := map[string]bool{}
	pair := func(from, to string) {
		if from != "" && from != to && !seen[from] {
			seen[from] = true
			pairs = append(pairs, from, to)
		}
	}
	// Alertmanager's own templates may read .Alerts of the copy: it must
	// not share the slice with d.
	out.Alerts = make(amtemplate.Alerts, len(d.Alerts))
	for i, a := range d.Alerts {
		ea := a
		ea.Labels = neutraliseKV(a.Labels, text)
		ea.Annotations = neutraliseKV(a.Annotations, text)
		ea.GeneratorURL = LinkURL(a.GeneratorURL)
		out.Alerts[i] = ea
		pair(SilenceURL(out.ExternalURL, ea), LinkURL(SilenceURL(out.ExternalURL, a)))
	}
	if targets {
		kvs := []amtemplate.KV{d.GroupLabels, d.CommonLabels, d.CommonAnnotations}
		for _, a := range d.Alerts {
			kvs = append(kvs, a.Labels, a.Annotations)
		}
		for _, kv := range kvs {
			for _, v := range kv {
				if u := LinkURL(v); u != "" {
					pair("]("+text(v)+")", "]("+u+")")
				}
			}
		}
	}
	e := &Escaped{Data: &out}
	if len(pairs) > 0 {
		e.mend = strings.NewReplacer(pairs...)
	}
	return e
}

// neutraliseKV returns a copy of kv with names and values passed through
// text; nil stays nil.
func neutraliseKV(kv amtemplate.KV, text func(string) string) amtemplate.KV {
	if kv == nil {
		return nil
	}
	out := make(amtemplate.KV, len(kv))
	for _, k := range kvNames(kv) {
		out[text(k)] = text(kv[k])
	}
	return out
}

// kvNames returns the names of kv in order, so that two names that
// escape alike resolve the same way every time.
func kvNames(kv amtemplate.KV) []string {
	names := make([]string, 0, len(kv))
	for _, k := range kv.SortedPairs() {
		names = append(names, k.Name)
	}
	return names
}

// LinkURL returns s as a link target that cannot end early or carry
// markup: "" unless s is an absolute http(s) URL (isURL) without control
// characters, and every character outside the URL syntax, or one that
// markdown or a chat would read (spaces, "(", ")", "<", ">", "*", "`",
// "\", quotes, "[" and "]" outside an IPv6 host), percent-encoded.
func LinkURL(s string) string {
	if !isURL(s) || strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return ""
	}
	scheme, rest, _ := strings.Cut(s, "://")
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if strings.ContainsAny(host, "()<>*`\\\"'{}|^") {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(scheme) + "://" + host)
	for i := end; i < len(rest); i++ {
		c := rest[i]
		if c >= utf8.RuneSelf || strings.IndexByte(" ()<>[]*`\\\"'{}|^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	u := b.String()
	if _, err := url.Parse(u); err != nil {
		return ""
	}
	return u
}

// ConsoleData is d for the console: see ConsoleText.
func ConsoleData(d *Data) *Escaped { return neutralise(d, ConsoleText, false) }

// ConsoleText makes s safe to print on a terminal. Control characters
// (ESC, BEL, CR, backspace...; DEL and the C1 range, which holds an 8-bit
// CSI), line and paragraph separators and the bidirectional controls that
// reorder what a terminal shows become visible Go escapes ("\x1b", "\r",
// "\u202e"), as do bytes that are not UTF-8; a tab stays. A line break
// stays but the line after it is indented, so that a value cannot forge
// a line of its own (a separator, another alert) in the output.
func ConsoleText(s string) string {
	if !needsConsoleEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString("\n  ")
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteByte('\t')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isConsoleControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

func needsConsoleEscape(s string) bool {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || (r < 0x20 && r != '\t') || r == 0x7f || isConsoleControl(r) {
			return true
		}
		i += w
	}
	return false
}

// isConsoleControl reports the characters above ASCII that change what a
// terminal or a log viewer shows: C1 controls, line and paragraph
// separators, and the bidirectional marks, embeddings, overrides and
// isolates.
func isConsoleControl(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x061c
}
