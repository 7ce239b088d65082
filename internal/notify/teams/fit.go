package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// MaxPayloadBytes is the largest body Herald posts: "The message size
// limit is 28 KB. When the size exceeds 28 KB, you receive an error"
// (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook),
// and Power Automate's Teams connector says the same of the cards it posts
// ("about 28 KB", https://learn.microsoft.com/en-us/connectors/teams/#known-issues-and-limitations).
// KB is read as 1000 bytes, the stricter reading: a card that needs the
// last 672 bytes is shortened a little sooner, and none is refused.
const MaxPayloadBytes = 28_000

// limits bound the parts of a card at one step of shortening, in runes; a
// cut text ends with "…".
type limits struct {
	title int
	line  int
	// facts is the most facts shown; -1 for all.
	facts int
	value int
	// longURL drops buttons whose URL is longer (bytes).
	longURL int
}

// shortenSteps are tried in order until the card fits: first long texts
// are cut (a description pasted with a stack trace), facts are left out
// and buttons with huge URLs go (a generatorURL carries the whole PromQL
// expression, a silence link every label). Lists first drop whole rows at
// each step (see fit).
var shortenSteps = []limits{
	{title: 300, line: 3000, facts: -1, value: 1000, longURL: 16_000},
	{title: 200, line: 1000, facts: 30, value: 300, longURL: 8000},
	{title: 150, line: 300, facts: 12, value: 120, longURL: 4000},
	{title: 120, line: 120, facts: 5, value: 60, longURL: 2000},
	{title: 100, line: 80, facts: 0, longURL: 1000},
}

// fit lays c out as the body of a post of at most budget bytes, shortening
// it when needed. Nothing is left out silently: rows or lines left out are
// counted in a "… N more alerts" (or lines) text block and facts in a
// "… N more labels" one.
func fit(c content, budget int) ([]byte, error) {
	n := len(c.lines)
	for _, lim := range shortenSteps {
		if c.rows {
			// A list keeps as many whole rows as fit.
			if k, b := most(c, lim, budget); b != nil && (k > 0 || n == 0) {
				return b, nil
			}
			continue
		}
		if b, err := encode(layout(c, lim, n)); err == nil && len(b) <= budget {
			return b, nil
		}
	}
	// Even the shortest step is too long: keep what fits of the lines.
	last := shortenSteps[len(shortenSteps)-1]
	if _, b := most(c, last, budget); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("teams: even the shortest card is over %d bytes", budget)
}

// most finds the most lines of c that fit budget with lim, and their body;
// (0, nil) when not even the card without lines fits.
func most(c content, lim limits, budget int) (int, []byte) {
	fits := func(k int) []byte {
		b, err := encode(layout(c, lim, k))
		if err != nil || len(b) > budget {
			return nil
		}
		return b
	}
	// The first k that does not fit, minus one: the size grows with k,
	// roughly (the note counting the rows left out makes k = n-1 a little
	// longer than k = n when rows are shorter than it), hence the check
	// downwards.
	k := sort.Search(len(c.lines)+1, func(k int) bool { return fits(k) == nil }) - 1
	for ; k >= 0; k-- {
		if b := fits(k); b != nil {
			return k, b
		}
	}
	return 0, nil
}

// layout builds the post of c with lim and the first keep lines.
func layout(c content, lim limits, keep int) post {
	body := []element{{
		Type: "Container", Style: c.style, Bleed: true,
		Items: []element{{Type: "TextBlock", Text: escapeMarkdown(cut(c.title, lim.title)),
			Wrap: true, Weight: "Bolder", Size: "Medium"}},
	}}
	para := false
	for _, l := range c.lines[:keep] {
		if l == "" {
			para = true
			continue
		}
		tb := element{Type: "TextBlock", Text: escapeMarkdown(cut(l, lim.line)), Wrap: true, Spacing: "Small"}
		if para {
			tb.Spacing = "Medium"
			para = false
		}
		body = append(body, tb)
	}
	if left := countLines(c.lines[keep:]); left > 0 {
		body = append(body, note(moreText(left, c.rows)))
	}
	body = append(body, buildFactSet(c.facts, lim)...)
	if c.image != nil {
		body = append(body, *c.image)
	}
	var actions []action
	for _, a := range c.actions {
		if len(a.URL) <= lim.longURL {
			actions = append(actions, a)
		}
	}
	return post{Type: messageType, Attachments: []attachment{{
		ContentType: cardContentType,
		Content: card{Schema: cardSchema, Type: "AdaptiveCard", Version: CardVersion,
			Body: body, Actions: actions, MSTeams: &msTeams{Width: "Full"}},
	}}}
}

// buildFactSet lays out the facts that lim allows, and a note counting the
// others.
func buildFactSet(facts []fact, lim limits) []element {
	shown := facts
	if lim.facts >= 0 && len(shown) > lim.facts {
		shown = shown[:lim.facts]
	}
	var out []element
	if len(shown) > 0 {
		fs := element{Type: "FactSet", Spacing: "Medium"}
		for _, f := range shown {
			fs.Facts = append(fs.Facts, fact{Title: escapeMarkdown(cut(f.Title, 60)), Value: escapeMarkdown(cut(f.Value, lim.value))})
		}
		out = append(out, fs)
	}
	if left := len(facts) - len(shown); left > 0 {
		out = append(out, note(fmt.Sprintf("… %d more %s (the card was shortened to fit Teams' size limit)", left, plural(left, "label", "labels"))))
	}
	return out
}

// moreText counts what a shortened message left out.
func moreText(n int, rows bool) string {
	if rows {
		return fmt.Sprintf("… %d more %s", n, plural(n, "alert", "alerts"))
	}
	return fmt.Sprintf("… %d more %s (the card was shortened to fit Teams' size limit)", n, plural(n, "line", "lines"))
}

// note is a visible text block that says what was left out.
func note(text string) element {
	return element{Type: "TextBlock", Text: escapeMarkdown(text), Wrap: true, Weight: "Bolder", Spacing: "Medium"}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// encode writes m as compact JSON. HTML escaping is off: "<" as "\u003c"
// would spend six bytes of the budget on one character.
func encode(m post) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
