package wecom

import (
	"fmt"
	"strings"
	"unicode"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/template"
)

// What a split message spends on Herald's own additions, reserved in every
// part so that adding them never pushes a part over MaxMarkdownBytes.
const (
	// markerReserve holds "<font color=\"comment\">(12/17)</font>\n".
	markerReserve = 48
	// noteReserve holds the "… N more alerts not shown" note and its link.
	noteReserve = 320
)

// layout turns rendered markdown into the content of at most maxParts
// markdown messages: split at line boundaries (see Split), each part after
// the first marked "(i/n)" so that readers know it goes on, mentions
// (<@userid> ...) at the end of the first part. When more than maxParts
// would be needed, the last part ends with a visible note of what was left
// out rather than anything being dropped silently. alerts and externalURL
// are the message's, for the note.
func layout(text, mentions string, maxParts int, alerts amtemplate.Alerts, externalURL string) []string {
	maxParts = max(maxParts, 1)
	limit := MaxMarkdownBytes
	if mentions != "" {
		limit -= len(mentions) + 1
	}
	parts := Split(text, limit)
	if len(parts) > 1 {
		parts = Split(text, limit-markerReserve-noteReserve)
	}
	if len(parts) > maxParts {
		kept := parts[:maxParts]
		kept[maxParts-1] += "\n" + omittedNote(strings.Join(kept, "\n"), alerts, externalURL)
		parts = kept
	}
	for i := 1; i < len(parts); i++ {
		parts[i] = fmt.Sprintf("<font color=\"comment\">(%d/%d)</font>\n%s", i+1, len(parts), parts[i])
	}
	if mentions != "" {
		if len(parts) == 0 {
			return []string{mentions}
		}
		parts[0] += "\n" + mentions
	}
	return parts
}

// omittedNote says what a shortened message leaves out: the number of
// alerts not named in kept, or that the text was shortened.
func omittedNote(kept string, alerts amtemplate.Alerts, externalURL string) string {
	var note string
	if n := len(alerts) - shownAlerts(kept, alerts); n > 0 {
		noun := "alerts"
		if n == 1 {
			noun = "alert"
		}
		note = fmt.Sprintf("… %d more %s not shown", n, noun)
	} else {
		note = "… message shortened"
	}
	if strings.HasPrefix(externalURL, "http://") || strings.HasPrefix(externalURL, "https://") {
		u := strings.TrimRight(externalURL, "/") + "/#/alerts"
		if len(u) < noteReserve-120 && !strings.ContainsAny(u, "()[] \n") {
			note += fmt.Sprintf(" ([all in Alertmanager](%s))", u)
		}
	}
	return `<font color="warning">` + note + "</font>"
}

// shownAlerts counts the alerts that text names, in order: lists name one
// alert per line in the order of alerts, so the first alert whose name is
// not found after the previous one is the first left out. Names are matched
// by their longest prefix that templates never escape.
func shownAlerts(text string, alerts amtemplate.Alerts) int {
	pos := 0
	for i, a := range alerts {
		key := nameKey(a.Labels["alertname"])
		j := strings.Index(text[pos:], key)
		if j < 0 {
			return i
		}
		pos += j + len(key)
	}
	return len(alerts)
}

// nameKey is the part of an alert name that reaches the message unchanged
// once neutralised (template.WeComText, as the templates get it): at most
// 40 bytes, up to the first blank (oneLine folds runs of them).
func nameKey(name string) string {
	name = template.WeComText(name)
	if name == "" {
		return "(unnamed alert)"
	}
	if i := strings.IndexFunc(name, unicode.IsSpace); i >= 0 {
		name = name[:i]
	}
	name = cutUTF8(name, 40)
	if strings.TrimSpace(name) == "" {
		return "" // matches anywhere: count the alert as shown
	}
	return name
}

// cutUTF8 returns the longest prefix of s of at most n bytes that does not
// end inside a UTF-8 sequence.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
