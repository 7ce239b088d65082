package discord

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
)

// Discord's embed limits, from "Embed Limits" in
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits.
// A message over any of them is refused as a whole with 400 (50035 Invalid
// Form Body), so Herald shortens before sending.
const (
	// MaxTitle is the longest embed title.
	MaxTitle = 256
	// MaxDescription is the longest embed description.
	MaxDescription = 4096
	// MaxFields is the most fields in one embed.
	MaxFields = 25
	// MaxFieldName is the longest field name.
	MaxFieldName = 256
	// MaxFieldValue is the longest field value.
	MaxFieldValue = 1024
	// MaxFooter is the longest footer text.
	MaxFooter = 2048
	// MaxEmbedTotal is the most characters in all titles, descriptions,
	// field names and values, footers and author names of all the embeds of
	// one message together.
	MaxEmbedTotal = 6000
)

// Limits of one message, from "Execute Webhook" in
// https://discord.com/developers/docs/resources/webhook#execute-webhook:
// "embeds: array of up to 10 embed objects", "content: the message
// contents (up to 2000 characters)".
const (
	// MaxEmbeds is the most embeds in one message.
	MaxEmbeds = 10
	// MaxContent is the longest message content.
	MaxContent = 2000
)

// embed is Discord's embed object
// (https://discord.com/developers/docs/resources/message#embed-object),
// with the fields a webhook may set and Herald uses.
type embed struct {
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"`
	Color       int          `json:"color,omitempty"`
	Footer      *embedFooter `json:"footer,omitempty"`
	Image       *embedImage  `json:"image,omitempty"`
	Fields      []embedField `json:"fields,omitempty"`
}

type embedFooter struct {
	Text string `json:"text"`
}

type embedImage struct {
	URL string `json:"url"`
}

type embedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// size is what the embed adds to MaxEmbedTotal.
func (e *embed) size() int {
	n := units(e.Title) + units(e.Description)
	if e.Footer != nil {
		n += units(e.Footer.Text)
	}
	for _, f := range e.Fields {
		n += units(f.Name) + units(f.Value)
	}
	return n
}

// totalSize is what a message's embeds count against MaxEmbedTotal.
func totalSize(es []embed) int {
	n := 0
	for i := range es {
		n += es[i].size()
	}
	return n
}

// units is the length of s as Herald counts it against Discord's limits:
// UTF-16 code units. Discord says "characters" without saying which; code
// units are never fewer than code points, so a text within the limit in
// code units is within it whichever way Discord counts.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// ellipsis ends every shortened text, so that the cut is visible.
const ellipsis = "…"

// shorten returns s when it is at most limit units long, else s cut to fit
// limit with "…" at the end: after its last line break that keeps at
// least half of the room (a cut between lines never breaks a link or a
// code span), else after its last space, else between two characters. It
// never cuts a UTF-8 sequence or a surrogate pair. A limit below 2 gives "".
func shorten(s string, limit int) string {
	if units(s) <= limit {
		return s
	}
	if limit < 2 {
		return ""
	}
	room := limit - units(ellipsis)
	end, used := 0, 0
	for i, r := range s {
		u := max(utf16.RuneLen(r), 1)
		if used+u > room {
			break
		}
		used += u
		end = i + utf8.RuneLen(r)
	}
	head := s[:end]
	if i := strings.LastIndexByte(head, '\n'); i > 0 && units(head[:i]) >= room/2 {
		head = head[:i]
	} else if i := strings.LastIndexByte(head, ' '); i > 0 && units(head[:i]) >= room/2 {
		head = head[:i]
	}
	return strings.TrimRight(head, " \n") + ellipsis
}

// fitLines joins lines with line breaks, as many as fit in limit units
// together with a closing note that says how many were left out (see
// more). It returns the text and the number of lines left out.
func fitLines(lines []string, limit int, more func(n int) string) (string, int) {
	var b strings.Builder
	used := 0
	for i, l := range lines {
		add := units(l)
		if i > 0 {
			add++ // the line break
		}
		rest := len(lines) - i - 1
		reserve := 0
		if rest > 0 {
			reserve = units(more(rest)) + 1
		}
		if used+add+reserve > limit {
			note := more(len(lines) - i)
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(note)
			return shorten(b.String(), limit), len(lines) - i
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		used += add
	}
	return b.String(), 0
}

// timestampOf is the time an embed shows (in each reader's time zone):
// when the alert resolved, else when it started.
func timestampOf(kind alert.Kind, alerts []amtemplate.Alert) string {
	if len(alerts) == 0 {
		return ""
	}
	a := alerts[0]
	t := a.StartsAt
	if (kind == alert.KindResolved || a.Status == string(alert.KindResolved)) && !a.EndsAt.IsZero() {
		t = a.EndsAt
	}
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// linkOf returns s when it is an absolute http(s) URL Discord will take as
// an embed link, else "".
func linkOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > maxEmbedURL {
		return ""
	}
	return s
}
