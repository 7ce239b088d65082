package template

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// Outside text is data: label and annotation values (and names) and the
// receiver reach a template already escaped for the platform, so that
// neither the default templates nor a channel's own can turn them into
// markup, links, mentions or terminal control sequences; only the
// template's own text counts. Every platform goes through escapeData; what
// differs is an escaping (the text escaper of the platform's syntax, how
// it writes a link target, whether link targets are mended), chosen by
// the XData constructors below. escape_plain.go, escape_chat.go and
// escape_markdown.go hold the text escapers.
//
// Each text escaper replaces one character by one or more characters that
// are never markup, so that truncate and oneLine, which templates apply
// after the escaping, cannot cut an escape in half and leave something
// that acts on the template's own markup.

// Escaped is the template data of one message with its outside values
// escaped for one output format, and what it takes to mend the links
// templates build from them.
type Escaped struct {
	// Data is what the templates see.
	Data *Data
	// format is what the data was escaped for: Text unless the platform's
	// constructor (TelegramData) says otherwise.
	format Format
	// mend and mendHTML replace, in text and HTML output, the links built
	// from escaped values by the links of the real values.
	mend, mendHTML *strings.Replacer
}

// Execute renders text (fallback when it fails) with e.Data, like
// Templates.Execute, in the format e was escaped for, and mends the
// result. In an HTML format the links it mends are HTML-escaped first, as
// html/template writes them ("&" of an external URL's query as "&amp;").
func (e *Escaped) Execute(t *Templates, text, fallback string) string {
	out := t.Execute(text, fallback, e.Data, e.format)
	if e.format.HTML {
		if e.mendHTML == nil {
			return out
		}
		return e.mendHTML.Replace(out)
	}
	return e.Mend(out)
}

// Mend turns the links that templates built from the escaped values into
// the links of the real values:
//   - silenceURL gets the escaped labels, so its filter would match
//     nothing; the whole URL is replaced by the one of the real labels;
//   - on platforms that mend targets, a value that is an http(s) URL and
//     stands alone as a link target ("](value)") becomes that URL, made a
//     link target by LinkURL (a label a template links).
//
// Every text escaper breaks "://", so no escaped value holds a silence
// link; only those that also replace "]" mend targets, since elsewhere a
// value could hold "](" + another escaped value + ")".
func (e *Escaped) Mend(s string) string {
	if e.mend == nil {
		return s
	}
	return e.mend.Replace(s)
}

// escaping is what differs between platforms.
type escaping struct {
	// text escapes outside text for the platform's syntax.
	text func(string) string
	// link writes a URL as a link target; nil is LinkURL.
	link func(string) string
	// targets mends "](value)" link targets (see Mend); only for a text
	// escaper that leaves no "]" in a value.
	targets bool
	// format is the output format; the zero value is Text.
	format Format
}

// ConsoleData is d for the console: see ConsoleText.
func ConsoleData(d *Data) *Escaped { return escapeData(d, escaping{text: ConsoleText}) }

// TelegramData is d for Telegram's HTML parse mode (Execute renders it as
// TelegramHTML): html/template escapes every value, so what is left is
// what Telegram finds in plain text by itself (see TelegramText).
func TelegramData(d *Data) *Escaped {
	return escapeData(d, escaping{text: TelegramText, format: TelegramHTML})
}

// DingTalkData is d for DingTalk's markdown: see DingTalkText. Mend also
// restores the URL values a template makes link targets.
func DingTalkData(d *Data) *Escaped {
	return escapeData(d, escaping{text: DingTalkText, targets: true})
}

// WeComData is d for WeCom's markdown: see WeComText. Mend also restores
// the URL values a template makes link targets.
func WeComData(d *Data) *Escaped { return escapeData(d, escaping{text: WeComText, targets: true}) }

// SlackData is d for Slack mrkdwn templates: see EscapeSlack. Link targets
// also get "&" as "&amp;": Slack decodes entities inside <url|text>.
func SlackData(d *Data) *Escaped {
	return escapeData(d, escaping{text: EscapeSlack, link: func(u string) string {
		// LinkURL has already percent-encoded "<" and ">".
		return strings.ReplaceAll(LinkURL(u), "&", "&amp;")
	}})
}

// DiscordData is d for Discord markdown templates: see EscapeDiscord.
func DiscordData(d *Data) *Escaped { return escapeData(d, escaping{text: EscapeDiscord}) }

// escapeData copies d with every outside string escaped: label and
// annotation names and values of the alerts, the common and group labels
// and annotations, and the receiver go through p.text; the external and
// generator URLs, and annotations named "…_url" holding an http(s) URL
// (runbook_url, dashboard_url: link targets by convention), through
// p.link, so [Runbook]({{ .Annotations.runbook_url }}) stays one link to
// where it says. d is shared with other goroutines and is not changed.
func escapeData(d *Data, p escaping) *Escaped {
	if d == nil {
		d = &Data{}
	}
	if p.link == nil {
		p.link = LinkURL
	}
	out := *d
	out.Receiver = p.text(d.Receiver)
	out.GroupLabels = escapeKV(d.GroupLabels, p, false)
	out.CommonLabels = escapeKV(d.CommonLabels, p, false)
	out.CommonAnnotations = escapeKV(d.CommonAnnotations, p, true)
	out.ExternalURL = p.link(d.ExternalURL)
	var pairs []string
	seen := map[string]bool{}
	pair := func(from, to string) {
		if from != "" && to != "" && from != to && !seen[from] {
			seen[from] = true
			pairs = append(pairs, from, to)
		}
	}
	// Alertmanager's own templates may read .Alerts of the copy: it must
	// not share the slice with d.
	out.Alerts = make(amtemplate.Alerts, len(d.Alerts))
	base := LinkURL(d.ExternalURL)
	for i, a := range d.Alerts {
		ea := a
		ea.Labels = escapeKV(a.Labels, p, false)
		ea.Annotations = escapeKV(a.Annotations, p, true)
		ea.GeneratorURL = p.link(a.GeneratorURL)
		out.Alerts[i] = ea
		// What silenceURL gives the template, and the link it should be.
		pair(SilenceURL(out.ExternalURL, ea), p.link(SilenceURL(base, a)))
	}
	if p.targets {
		kvs := []amtemplate.KV{d.GroupLabels, d.CommonLabels, d.CommonAnnotations}
		for _, a := range d.Alerts {
			kvs = append(kvs, a.Labels, a.Annotations)
		}
		for _, kv := range kvs {
			for _, v := range kv {
				if u := p.link(v); u != "" {
					pair("]("+p.text(v)+")", "]("+u+")")
				}
			}
		}
	}
	e := &Escaped{Data: &out, format: p.format}
	if e.format.Name == "" {
		e.format = Text
	}
	if len(pairs) > 0 {
		e.mend = strings.NewReplacer(pairs...)
		// NewReplacer builds its tables on first use: the HTML one costs
		// nothing on the platforms that never render HTML.
		html := make([]string, len(pairs))
		for i, s := range pairs {
			html[i] = htmlAttr.Replace(s)
		}
		e.mendHTML = strings.NewReplacer(html...)
	}
	return e
}

// htmlAttr escapes what html/template's attribute escaper changes in a
// link target LinkURL wrote (it has percent-encoded < > " ').
var htmlAttr = strings.NewReplacer("&", "&amp;", "+", "&#43;")

// escapeKV returns a copy of kv with names and values escaped; with
// links, "…_url" values that are http(s) URLs become link targets. nil
// stays nil. Names go in order, so that two names that escape alike
// resolve the same way every time.
func escapeKV(kv amtemplate.KV, p escaping, links bool) amtemplate.KV {
	if kv == nil {
		return nil
	}
	out := make(amtemplate.KV, len(kv))
	for _, pr := range kv.SortedPairs() {
		k, v := pr.Name, pr.Value
		if links && strings.HasSuffix(k, "_url") {
			if u := p.link(v); u != "" {
				out[p.text(k)] = u
				continue
			}
		}
		out[p.text(k)] = p.text(v)
	}
	return out
}

// LinkURL returns u as the target of a link in any platform's markup
// ([text](u) in Markdown, <u|text> in Slack mrkdwn, href="u" in HTML), or
// "" unless u is an absolute http(s) URL without control characters (a
// line break or an escape is never part of a URL someone meant, and would
// end a Markdown line). Blanks around u are dropped: YAML block scalars
// leave a line break after an annotation. After the host, these bytes are
// percent-encoded, which keeps the URL the same to a browser:
//   - space, "(" and ")": they end or nest a Markdown target;
//   - "[" and "]": a "](" inside a target starts another link (in an IPv6
//     host they are the syntax and stay);
//   - "<", ">" and "|": HTML, autolinks, mentions (<@id>), Slack's
//     <url|text> and Discord's spoilers;
//   - "*", "`", "\": emphasis, code spans and escapes, which some readers
//     (DingTalk's) apply inside a target too;
//   - quotes: a Markdown link title ([x](u "t")) and HTML attributes;
//   - "{", "}", "^": not allowed in a URL (RFC 3986); browsers send them
//     encoded anyway;
//   - non-ASCII bytes, as browsers send them.
//
// A host holding any of these is refused, since encoding would change it.
// "%" stays: the escapes already in u must keep their meaning.
func LinkURL(u string) string {
	u = strings.TrimSpace(u)
	if !isURL(u) || strings.IndexFunc(u, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return ""
	}
	scheme, rest, _ := strings.Cut(u, "://")
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if strings.ContainsAny(host, linkEncoded) {
		return ""
	}
	var b strings.Builder
	b.Grow(len(u) + 8)
	b.WriteString(strings.ToLower(scheme) + "://" + host)
	for i := end; i < len(rest); i++ {
		c := rest[i]
		if c >= utf8.RuneSelf || strings.IndexByte(linkEncoded+"[]", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	out := b.String()
	if _, err := url.Parse(out); err != nil {
		return ""
	}
	return out
}

// linkEncoded are the ASCII characters LinkURL encodes after the host, and
// refuses in it, besides "[" and "]".
const linkEncoded = " ()<>|*`\\\"'{}^"
