package teams

import (
	"net/url"
	"slices"
	"strings"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// The message envelope of a workflow webhook ("Post to a channel when a
// webhook request is received") and the legacy incoming webhook
// (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook).
const (
	messageType     = "message"
	cardContentType = "application/vnd.microsoft.card.adaptive"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	// CardVersion is the Adaptive Card version Herald writes: 1.4 has
	// everything the card uses (Container styles with bleed, FactSet,
	// Action.OpenUrl) and every Teams client renders it.
	CardVersion = "1.4"
)

// Container styles (https://adaptivecards.io/explorer/Container.html):
// the card's header band is coloured by what the message says.
const (
	styleAttention = "attention" // critical and error severities
	styleWarning   = "warning"   // warning severities and unknown ones
	styleAccent    = "accent"    // info severities
	styleGood      = "good"      // resolved
)

// post is the body of the POST: a message activity with one card.
type post struct {
	Type        string       `json:"type"`
	Attachments []attachment `json:"attachments"`
}

type attachment struct {
	ContentType string `json:"contentType"`
	// ContentURL must be present and null, as in Microsoft's examples.
	ContentURL *string `json:"contentUrl"`
	Content    card    `json:"content"`
}

// card is an AdaptiveCard.
type card struct {
	Schema  string    `json:"$schema"`
	Type    string    `json:"type"`
	Version string    `json:"version"`
	Body    []element `json:"body"`
	Actions []action  `json:"actions,omitempty"`
	MSTeams *msTeams  `json:"msteams,omitempty"`
}

// msTeams holds Teams' extensions; width Full lets the chart use the whole
// width of the channel instead of a narrow bubble.
type msTeams struct {
	Width string `json:"width"`
}

// element is every card element Herald writes (TextBlock, Container,
// FactSet, Image); fields that do not apply to a type stay empty.
type element struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	Wrap     bool      `json:"wrap,omitempty"`
	Weight   string    `json:"weight,omitempty"`
	Size     string    `json:"size,omitempty"`
	IsSubtle bool      `json:"isSubtle,omitempty"`
	Spacing  string    `json:"spacing,omitempty"`
	Style    string    `json:"style,omitempty"`
	Bleed    bool      `json:"bleed,omitempty"`
	Items    []element `json:"items,omitempty"`
	Facts    []fact    `json:"facts,omitempty"`
	URL      string    `json:"url,omitempty"`
	AltText  string    `json:"altText,omitempty"`
}

// fact is one row of a FactSet.
type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// action is an Action.OpenUrl button.
type action struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// content is what a card says, in plain text, before it is laid out and
// escaped: shortening works on it (see fit) so that it never cuts an
// escape sequence.
type content struct {
	style string
	title string
	// lines are the message's lines; "" marks a paragraph break.
	lines []string
	// rows says that lines are one per alert (a list), so that lines left
	// out are counted as alerts.
	rows    bool
	facts   []fact
	image   *element
	actions []action
}

// buildContent gathers what the card of m says. title and text are the
// rendered templates; image is the chart element or nil.
func buildContent(m *notify.Message, title, text string, image *element) content {
	c := content{style: buildStyle(m), title: oneLine(title), lines: buildLines(text), image: image}
	var alerts []amtemplate.Alert
	externalURL := ""
	if m.Data != nil {
		alerts, externalURL = m.Data.Alerts, m.Data.ExternalURL
	}
	list := m.Folded || len(alerts) != 1
	switch {
	case list:
		c.rows = countLines(c.lines) == len(alerts)
		if u := alertsURL(externalURL); u != "" {
			c.actions = []action{openURL("Alertmanager", u)}
		}
	case m.Kind == alert.KindReminder:
		// A reminder is short: what and since when, and the way to mute it.
		c.actions = buildActions(alerts[0], externalURL, m.Kind)
	default:
		c.facts = buildFacts(alerts[0])
		c.actions = buildActions(alerts[0], externalURL, m.Kind)
	}
	return c
}

// buildLines splits the rendered message into lines, folding runs of blank
// lines into one paragraph break. Indentation goes: Markdown would show a
// line indented by four spaces as code, and a text block has no use for it.
func buildLines(text string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		l = strings.TrimSpace(l)
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// countLines counts the lines that are not paragraph breaks.
func countLines(lines []string) int {
	n := 0
	for _, l := range lines {
		if l != "" {
			n++
		}
	}
	return n
}

// buildFacts lists an alert's labels, except the name and severity that
// the title already shows, sorted by name.
func buildFacts(a amtemplate.Alert) []fact {
	var facts []fact
	for _, p := range a.Labels.SortedPairs() {
		if p.Name == "alertname" || p.Name == "severity" {
			continue
		}
		facts = append(facts, fact{Title: p.Name, Value: oneLine(p.Value)})
	}
	return facts
}

// buildActions makes the buttons of one alert: its source (Prometheus'
// graph), a prefilled silence while it fires and its runbook; each only
// for an absolute http(s) URL, since Teams refuses a card with any other.
func buildActions(a amtemplate.Alert, externalURL string, kind alert.Kind) []action {
	var out []action
	if validURL(a.GeneratorURL) {
		out = append(out, openURL("Source", a.GeneratorURL))
	}
	if kind != alert.KindResolved {
		if u := template.SilenceURL(externalURL, a); validURL(u) {
			out = append(out, openURL("Silence", u))
		}
	}
	if u := strings.TrimSpace(a.Annotations["runbook_url"]); validURL(u) {
		out = append(out, openURL("Runbook", u))
	}
	return out
}

func openURL(title, u string) action { return action{Type: "Action.OpenUrl", Title: title, URL: u} }

// buildStyle colours the header by what m says: green when resolved,
// otherwise by the worst severity among its firing alerts.
func buildStyle(m *notify.Message) string {
	if m.Kind == alert.KindResolved {
		return styleGood
	}
	rank := map[string]int{styleAccent: 1, styleWarning: 2, styleAttention: 3}
	best := ""
	var alerts []amtemplate.Alert
	if m.Data != nil {
		alerts = m.Data.Alerts
	}
	for _, a := range alerts {
		if a.Status == "resolved" {
			continue
		}
		if s := severityStyle(a.Labels["severity"]); rank[s] > rank[best] {
			best = s
		}
	}
	if best == "" {
		if len(alerts) > 0 && !slices.ContainsFunc(alerts, func(a amtemplate.Alert) bool { return a.Status != "resolved" }) {
			return styleGood
		}
		return styleWarning
	}
	return best
}

// severityStyle maps a severity label through the same table as the
// templates' emoji, so that the colour and the emoji always agree.
func severityStyle(severity string) string {
	switch template.SeverityEmoji(severity) {
	case "🔥", "🔴":
		return styleAttention
	case "ℹ️":
		return styleAccent
	default:
		return styleWarning
	}
}

// alertsURL is Alertmanager's alert list, or "".
func alertsURL(externalURL string) string {
	if !validURL(externalURL) {
		return ""
	}
	return strings.TrimRight(externalURL, "/") + "/#/alerts"
}

// validURL reports whether s is an absolute http(s) URL, the only kind a
// button or an image may have.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
