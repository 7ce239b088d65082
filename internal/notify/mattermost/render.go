package mattermost

import (
	"net/url"
	"strconv"
	"strings"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// content is a message rendered, before it is cut into posts.
type content struct {
	title, titleLink, fallback, color string
	// text is the attachment text, Markdown; card the right-hand panel.
	text, card string
	fields     []field
	image      string
}

// render builds the content of m. Everything shown as Markdown (title,
// text, field values, card) is rendered from a copy of the data whose
// label and annotation values are escaped for Mattermost
// (template.MattermostData); the fallback, plain text in notifications,
// from a copy escaped for plain text. Links (title, Source, Silence,
// Runbook) are built from the real values.
func (n *Notifier) render(m *notify.Message) *content {
	raw := template.MessageData(m, n.name)
	esc := template.MattermostData(raw)
	plain := template.MattermostPlainData(raw)
	title := notify.FirstLine(esc.Execute(n.tmpl, n.cfg.Title, TitleTemplate))
	return &content{
		title:     shorten(title, maxTitle),
		titleLink: titleLink(raw),
		fallback:  notify.Truncate(notify.FirstLine(plain.Execute(n.tmpl, n.cfg.Title, TitleTemplate)), 4*maxTitle),
		color:     colorOf(m.Kind, raw.Alerts),
		text:      esc.Execute(n.tmpl, n.cfg.Message, DefaultMessage),
		card:      shorten(esc.Execute(n.tmpl, CardTemplate, CardTemplate), maxCard),
		fields:    buildFields(raw, esc.Data),
		image:     n.chartURL(m),
	}
}

// titleLink is where the title leads: the alert's source for one alert,
// Alertmanager's alert list for several.
func titleLink(d *template.Data) string {
	if len(d.Alerts) == 1 && !d.Folded {
		return template.LinkURL(d.Alerts[0].GeneratorURL)
	}
	if template.LinkURL(d.ExternalURL) == "" {
		return ""
	}
	return template.LinkURL(strings.TrimRight(d.ExternalURL, "/") + "/#/alerts")
}

// buildFields are the short fields of one alert (severity, instance, job,
// the current value) from the escaped data esc, and its links from the
// real data raw: Source, Silence while it fires, Runbook. A list gets a
// link to Alertmanager.
func buildFields(raw, esc *template.Data) []field {
	var out []field
	add := func(title, value string, short bool) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, field{Title: title, Value: value, Short: short})
		}
	}
	if len(raw.Alerts) != 1 || raw.Folded {
		add("Alerts", strconv.Itoa(len(raw.Alerts)), true)
		if am := titleLink(raw); am != "" {
			add("Links", "[Alertmanager]("+am+")", false)
		}
		return out
	}
	a := esc.Alerts[0]
	for _, f := range []struct{ title, label string }{{"Severity", "severity"}, {"Instance", "instance"}, {"Job", "job"}} {
		add(f.title, shorten(oneLine(a.Labels[f.label]), maxFieldValue), true)
	}
	if esc.ValueText != "" {
		title := "Value"
		if esc.Kind == string(alert.KindResolved) {
			title = "Value now"
		}
		add(title, template.EscapeMattermost(esc.ValueText), true)
	}
	add("Links", links(raw, raw.Alerts[0]), false)
	return out
}

// links are the Markdown links of one alert, from its real URLs.
func links(d *template.Data, a amtemplate.Alert) string {
	var ls []string
	add := func(label, u string) {
		if u = template.LinkURL(u); u != "" {
			ls = append(ls, "["+label+"]("+u+")")
		}
	}
	add("Source", a.GeneratorURL)
	if !resolved(d.Kind, a) {
		add("Silence", template.SilenceURL(d.ExternalURL, a))
	}
	add("Runbook", a.Annotations["runbook_url"])
	return strings.Join(ls, " · ")
}

// resolved reports whether a message of kind about a says it is over.
func resolved(kind string, a amtemplate.Alert) bool {
	return kind == string(alert.KindResolved) || (kind == "" && a.Status == string(alert.KindResolved))
}

// chartURL is the chart's URL for image_url, or "". Only a message about
// one alert, firing or resolved, shows one; without a URL (Herald has no
// external_url) Mattermost has nowhere to fetch it, which is logged once.
func (n *Notifier) chartURL(m *notify.Message) string {
	if m.Image == nil || m.Folded || m.Kind == alert.KindReminder || m.Data == nil || len(m.Data.Alerts) != 1 {
		return ""
	}
	u, err := url.Parse(m.Image.URL)
	switch {
	case m.Image.URL == "":
		n.warnings.Once(n.logger, "chart URL", "charts cannot go to Mattermost without a URL to fetch them from; set external_url (reachable from the Mattermost server)")
		return ""
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		n.logger.Warn("sending the message without its chart: the chart URL is not an absolute http(s) URL")
		return ""
	}
	return m.Image.URL
}

// oneLine folds the lines of s into one.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
