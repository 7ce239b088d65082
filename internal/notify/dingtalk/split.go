package dingtalk

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/notify"
)

// MaxBodyBytes is the largest request body Herald sends. DingTalk refuses
// a bigger message with errcode 460101 "message too long, exceed 20000
// bytes" (as users report it, e.g.
// https://github.com/timonwong/prometheus-webhook-dingtalk/issues/30); its
// newer wording, "body 大小不合法 … 请保持大小在 20000bytes 以内"
// (https://github.com/ZhuLinsen/daily_stock_analysis/issues/61), counts
// the whole body, so Herald keeps the whole JSON body, not only the text,
// within it.
const MaxBodyBytes = 20000

// MaxParts is the most messages one alert message is split into. Each
// part costs one of the robot's 20 messages a minute; a message longer
// than this many parts (only a folded storm can be) is shortened instead,
// with a visible "… N more alerts".
const MaxParts = 5

// maxTitleBytes bounds the title, which DingTalk shows in one line of the
// chat list and the notification.
const maxTitleBytes = 200

// minBudget keeps splitting possible when the title and mentions leave
// little room: a part never holds less than this many bytes of text.
const minBudget = 1000

// layout turns a rendered message into the payloads to send: the text cut
// into parts at line breaks, each within MaxBodyBytes with its title and
// "(i/n)" marker; the first part also carries extras (chart, mentions) and
// the mentions a.
func layout(title, text, extras string, a *at) []payload {
	marker := "\n\n" + partMarker(MaxParts, MaxParts)
	head := payload{MsgType: "markdown", Markdown: markdown{Title: title + " " + partMarker(MaxParts, MaxParts)}, At: a}
	rest := max(MaxBodyBytes-len(encode(head))-escLen(marker), minBudget)
	first := rest
	if extras != "" {
		first = max(rest-escLen("\n\n"+extras), minBudget)
	}
	parts := split(text, first, rest)
	if len(parts) > MaxParts {
		parts = shorten(text, first, rest)
	}
	out := make([]payload, len(parts))
	for i, p := range parts {
		t := title
		if i == 0 && extras != "" {
			p += "\n\n" + extras
		}
		if len(parts) > 1 {
			p += "\n\n" + partMarker(i+1, len(parts))
			t += " " + partMarker(i+1, len(parts))
		}
		out[i] = payload{MsgType: "markdown", Markdown: markdown{Title: t, Text: p}}
		if i == 0 {
			out[i].At = a
		}
	}
	return out
}

func partMarker(i, n int) string { return fmt.Sprintf("(%d/%d)", i, n) }

// split cuts text at line breaks into parts whose JSON-escaped length is
// at most first bytes for the first part and rest for the others. Lines
// are never cut unless one alone is longer than a part; the default
// templates keep every markup element on one line, so a cut at a line
// break never breaks markup. Parts of blank lines only are dropped.
func split(text string, first, rest int) []string {
	var parts, cur []string
	size, budget := 0, first
	flush := func() {
		p := strings.Trim(strings.Join(cur, "\n"), "\n")
		cur, size = nil, 0
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
			budget = rest
		}
	}
	for _, line := range strings.Split(text, "\n") {
		n := escLen(line)
		sep := 0
		if len(cur) > 0 {
			sep = escLen("\n")
		}
		if size+sep+n <= budget {
			cur, size = append(cur, line), size+sep+n
			continue
		}
		flush()
		for n > budget {
			// One line longer than a whole part (a user template's huge
			// annotation): cut it, at a space when there is one near.
			head, tail := cutLine(line, budget)
			cur = []string{head}
			flush()
			// Cuts fall between characters, so lengths add up.
			line, n = tail, n-escLen(head)
		}
		cur, size = []string{line}, n
	}
	flush()
	return parts
}

// cutLine cuts s into a head of at most budget JSON-escaped bytes and the
// tail, between two characters (never inside a UTF-8 sequence), after the
// last space of the head's last quarter when there is one.
func cutLine(s string, budget int) (string, string) {
	size, cut, space := 0, 0, -1
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		n := escLen(s[i : i+w])
		if size+n > budget {
			break
		}
		size += n
		i += w
		cut = i
		if r == ' ' && size > budget*3/4 {
			space = cut
		}
	}
	if cut == 0 {
		// A budget smaller than one character: take it anyway, or
		// splitting would never end.
		_, cut = utf8.DecodeRuneInString(s)
	}
	if space > 0 {
		cut = space
	}
	return s[:cut], s[cut:]
}

// shorten fits text into MaxParts parts by leaving out list items (the
// alerts of a folded message) from the end of the list, replaced by a
// visible "… N more alerts" item, keeping as many as fit. A text without
// enough list items loses its last lines instead, also with a note.
func shorten(text string, first, rest int) []string {
	lines := strings.Split(text, "\n")
	var items []int
	for i, l := range lines {
		if isListItem(l) {
			items = append(items, i)
		}
	}
	try := func(keep int) []string {
		out := make([]string, 0, len(lines)-len(items)+keep+1)
		for i, l := range lines {
			switch {
			case len(items) > keep && i == items[keep]:
				out = append(out, fmt.Sprintf("- … %d more alerts", len(items)-keep))
			case len(items) > keep && i > items[keep] && isListItem(l):
				continue
			default:
				out = append(out, l)
			}
		}
		return split(strings.Join(out, "\n"), first, rest)
	}
	if len(items) > 0 {
		if parts := try(0); len(parts) <= MaxParts {
			// The largest number of items that still fits.
			keep := sort.Search(len(items), func(k int) bool { return len(try(k+1)) > MaxParts })
			return try(keep)
		}
	}
	return truncateParts(text, first, rest)
}

// truncateParts keeps the first MaxParts parts of text and ends the last
// with a note of how many lines were left out.
func truncateParts(text string, first, rest int) []string {
	const reserve = 64 // room for the note
	parts := split(text, max(first-reserve, minBudget), max(rest-reserve, minBudget))
	if len(parts) <= MaxParts {
		return parts
	}
	left := 0
	for _, p := range parts[MaxParts:] {
		left += strings.Count(p, "\n") + 1
	}
	parts = parts[:MaxParts]
	parts[MaxParts-1] += fmt.Sprintf("\n\n… %d more lines not shown", left)
	return parts
}

// isListItem reports whether a line is a markdown bullet item, which is
// how the templates list the alerts of a folded message.
func isListItem(line string) bool {
	return strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") || strings.HasPrefix(line, "+ ")
}

// escLen is the length of s inside a JSON string as encode writes it (no
// HTML escaping): what s costs of MaxBodyBytes.
func escLen(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20 || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
			// \u00XX, \u2028, \u2029; invalid UTF-8 becomes \ufffd.
			n += 6
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}

// oneLineTitle makes a rendered title fit DingTalk's one-line title.
func oneLineTitle(s string) string {
	return notify.Truncate(strings.Join(strings.Fields(s), " "), maxTitleBytes)
}
