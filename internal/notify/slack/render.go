package slack

import (
	"strings"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// The default templates (slack.tmpl, embedded as FS). A channel's
// `message` replaces DefaultMessage; the title and the context line are
// changed by redefining slack.herald.title and slack.herald.context in a
// template file, as in Alertmanager.
const (
	// DefaultMessage renders the body: Slack mrkdwn.
	DefaultMessage = `{{ template "slack.herald.message" . }}`
	// TitleTemplate renders the header: plain text, one line.
	TitleTemplate = `{{ template "slack.herald.title" . }}`
	// ContextTemplate renders the context line under the body: mrkdwn.
	ContextTemplate = `{{ template "slack.herald.context" . }}`
)

// renderer turns a message into content with the channel's templates.
type renderer struct {
	tmpl    *template.Templates
	message string // the channel's body template, "" for DefaultMessage
	channel string
}

// render builds the content of m. The title is rendered from the data as
// it is (plain text shows it as written); the body and the context from a
// copy whose label and annotation values are escaped for mrkdwn
// (template.SlackData), so that no template, the user's included, can let
// a value become a link, a mention or formatting; a silenceURL they write
// is mended to the real labels' link. The fallback text is the title,
// escaped the same way: it is mrkdwn too.
func (r *renderer) render(m *notify.Message) *content {
	raw := template.MessageData(m, r.channel)
	esc := template.SlackData(raw)
	title := notify.FirstLine(r.tmpl.Execute(TitleTemplate, TitleTemplate, raw, template.Text))
	body, omitted := fitBody(func(d *template.Data) string { return esc.Mend(r.body(d)) }, esc.Data)
	return &content{
		title:    title,
		body:     body,
		omitted:  omitted,
		context:  esc.Execute(r.tmpl, ContextTemplate, ContextTemplate),
		links:    buildLinks(raw),
		fallback: shorten(template.EscapeSlack(title), MaxMessageText),
	}
}

// body renders the body template with d.
func (r *renderer) body(d *template.Data) string {
	return r.tmpl.Execute(r.message, DefaultMessage, d, template.Text)
}

// fitBody renders the body of d within maxBodyText. When the whole list
// does not fit, it renders it again with fewer alerts (the most that fit,
// found by bisection) and reports how many it left out, so that the
// message says "… N more alerts" instead of stopping in the middle of a
// line; templates decide what a line is, so counting rendered lines
// would be guesswork. A body that is too long even for one alert is cut
// at a safe boundary and ends with "…".
func fitBody(render func(*template.Data) string, d *template.Data) (string, int) {
	full := render(d)
	if textLen(full) <= maxBodyText {
		return full, 0
	}
	n := len(d.Alerts)
	if n <= 1 {
		return shorten(full, maxBodyText), 0
	}
	budget := maxBodyText - moreAlertsRoom
	best, bestText := 0, ""
	for lo, hi := 1, n-1; lo <= hi; {
		k := (lo + hi) / 2
		if text := render(firstAlerts(d, k)); textLen(text) <= budget {
			best, bestText = k, text
			lo = k + 1
		} else {
			hi = k - 1
		}
	}
	if best == 0 {
		return shorten(render(firstAlerts(d, 1)), budget), n - 1
	}
	return bestText, n - best
}

// firstAlerts is d with only its first k alerts. It stays a list (Folded)
// so that the template does not switch to its one-alert layout.
func firstAlerts(d *template.Data, k int) *template.Data {
	out := *d
	out.Alerts = d.Alerts[:k:k]
	out.Folded = true
	return &out
}

// buildLinks are the buttons of a message: for one alert its source
// (Prometheus' graph), a silence form while it fires, and its runbook; for
// a list, Alertmanager's alert page, where every alert of it is.
func buildLinks(d *template.Data) []link {
	am := strings.TrimRight(d.ExternalURL, "/")
	if len(d.Alerts) != 1 || d.Folded {
		if am == "" {
			return nil
		}
		return []link{{id: "alertmanager", label: "Alertmanager", url: am + "/#/alerts"}}
	}
	a := d.Alerts[0]
	links := []link{{id: "source", label: "Source", url: a.GeneratorURL}}
	if !resolved(d.Kind, a) {
		links = append(links, link{id: "silence", label: "Silence", url: template.SilenceURL(d.ExternalURL, a)})
	}
	return append(links, link{id: "runbook", label: "Runbook", url: a.Annotations["runbook_url"]})
}

// resolved reports whether a message of kind about a says it is over.
func resolved(kind string, a amtemplate.Alert) bool {
	return kind == string(alert.KindResolved) || (kind == "" && a.Status == string(alert.KindResolved))
}
