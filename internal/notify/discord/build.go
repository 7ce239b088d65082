package discord

import (
	"fmt"
	"slices"
	"strings"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// The template bodies of a channel that sets none (config title and
// message), and the two Herald renders itself: the short resolved note and
// one line per alert for the "… N more alerts" embed. User template files
// may redefine the templates they name.
const (
	DefaultTitle   = `{{ template "discord.herald.title" . }}`
	DefaultMessage = `{{ template "discord.herald.message" . }}`
	shortBody      = `{{ template "discord.herald.short" . }}`
	lineBody       = `{{ range .Alerts }}{{ template "discord.herald.line" . }}{{ end }}`
)

// overflowRoom is the share of MaxEmbedTotal kept for the "… N more
// alerts" embed of a message with more alerts than embeds: room for a
// couple of dozen one-line alerts.
const overflowRoom = 1500

// shortFieldValue is how long label values get when the fields of an
// embed do not fit its share of MaxEmbedTotal whole.
const shortFieldValue = 100

// maxEmbedURL bounds the link of an embed's title; Discord refuses a
// message whose URL it finds too long, and a generatorURL with a huge
// expression is better left to the [Source] link in the text.
const maxEmbedURL = 2000

// render executes a template body with d in text mode and mends the
// links it built from escaped labels; it never fails (see
// template.Templates.Execute).
func (n *Notifier) render(body, fallback string, d *template.Escaped) string {
	return d.Execute(n.tmpl, body, fallback)
}

// data is the template data of m restricted to alerts, with every label
// and annotation value escaped for Discord markdown and every URL made a
// safe link target (template.DiscordData): whatever a template does
// with a value, the user's own included, it cannot become a link, a
// mention or formatting.
func (n *Notifier) data(m *notify.Message, alerts []amtemplate.Alert, folded bool) *template.Escaped {
	d := template.MessageData(m, n.name)
	d.Folded = folded
	d.Alerts = alerts
	return template.DiscordData(d)
}

// alertsOf returns the alerts of m.
func alertsOf(m *notify.Message) amtemplate.Alerts {
	if m.Data == nil {
		return nil
	}
	return m.Data.Alerts
}

// buildFull builds the message for m: one rich embed for one alert (with
// the chart when withChart), or, for several, a header line and one embed
// per alert.
func (n *Notifier) buildFull(m *notify.Message, withChart bool) *payload {
	alerts := alertsOf(m)
	if len(alerts) > 1 {
		return n.buildList(m, alerts)
	}
	e := n.buildAlertEmbed(m, alerts, MaxEmbedTotal, true)
	if withChart {
		e.Image = &embedImage{URL: "attachment://" + chartFileName}
	}
	return &payload{Embeds: []embed{e}}
}

// buildAlertEmbed builds the embed of one alert (or of none, for a
// notification without alerts) in at most budget units. rich adds what
// only a message about one alert has room for: the labels as fields, the
// title linked to the source and the footer.
func (n *Notifier) buildAlertEmbed(m *notify.Message, alerts []amtemplate.Alert, budget int, rich bool) embed {
	d := n.data(m, alerts, false)
	e := embed{
		Title:     shorten(n.render(n.cfg.Title, DefaultTitle, d), min(MaxTitle, budget)),
		Color:     ColorOf(m.Kind, alerts),
		Timestamp: timestampOf(m.Kind, alerts),
	}
	if rich && len(alerts) == 1 {
		e.URL = linkOf(alerts[0].GeneratorURL)
		e.Footer = n.footer()
		// The description comes first: keep it at least a quarter of the room.
		e.Fields = fitFields(buildFields(alerts[0]), budget-e.size()-min(MaxDescription, budget/4))
	}
	room := min(MaxDescription, budget-e.size())
	e.Description = withLinks(n.render(n.cfg.Message, DefaultMessage, d), buildLinks(m, alerts), room)
	return e
}

// withLinks is the description text followed by its links line, within
// room units: the text is shortened first, and the links go only when
// there is no room for them at all.
func withLinks(text, links string, room int) string {
	if links == "" || units(links)+1 >= room/2 {
		return shorten(text, room)
	}
	return shorten(text, room-units(links)-1) + "\n" + links
}

// buildLinks is the links line of a message about one alert: its source
// (Prometheus' graph), a silence prefilled with its labels while it fires,
// and its runbook, each only for an http(s) URL, written as safe link
// targets (template.LinkURL). They are built here from the alert as
// received, like Slack's buttons and Teams' actions, so that a channel's
// own message needs no links and shortening the text never cuts them;
// a template that does write a silenceURL gets it mended too
// (template.Escaped.Mend). Reminders have none.
func buildLinks(m *notify.Message, alerts []amtemplate.Alert) string {
	if len(alerts) != 1 || m.Kind == alert.KindReminder {
		return ""
	}
	a := alerts[0]
	var links []string
	add := func(label, u string) {
		if u = template.LinkURL(u); u != "" {
			links = append(links, "["+label+"]("+u+")")
		}
	}
	add("Source", a.GeneratorURL)
	resolved := m.Kind == alert.KindResolved || (m.Kind == "" && a.Status == string(alert.KindResolved))
	if !resolved && m.Data != nil {
		add("Silence", template.SilenceURL(m.Data.ExternalURL, a))
	}
	add("Runbook", a.Annotations["runbook_url"])
	return strings.Join(links, " · ")
}

// buildList builds the message of several alerts: the title rendered with
// all of them as the content, then one embed per alert with an even share
// of MaxEmbedTotal. With more alerts than MaxEmbeds, the last embed says
// "… N more alerts" and lists them one per line, as many as fit.
func (n *Notifier) buildList(m *notify.Message, alerts amtemplate.Alerts) *payload {
	header := n.render(n.cfg.Title, DefaultTitle, n.data(m, alerts, true))
	p := &payload{Content: shorten(header, MaxContent)}
	shown, reserve := len(alerts), 0
	if shown > MaxEmbeds {
		shown, reserve = MaxEmbeds-1, overflowRoom
	}
	share := (MaxEmbedTotal - reserve) / shown
	for i := range shown {
		p.Embeds = append(p.Embeds, n.buildAlertEmbed(m, alerts[i:i+1], share, false))
	}
	if rest := alerts[shown:]; len(rest) > 0 {
		p.Embeds = append(p.Embeds, n.buildOverflow(m, rest, MaxEmbedTotal-totalSize(p.Embeds)))
	}
	if f := n.footer(); totalSize(p.Embeds)+units(f.Text) <= MaxEmbedTotal {
		p.Embeds[len(p.Embeds)-1].Footer = f
	}
	return p
}

// buildOverflow builds the embed that ends a message with more alerts than
// embeds: its title counts them, its description names as many as fit in
// room units, one line each, and counts the rest.
func (n *Notifier) buildOverflow(m *notify.Message, rest []amtemplate.Alert, room int) embed {
	e := embed{Title: moreAlerts(len(rest)), Color: ColorOf(m.Kind, rest)}
	lines := make([]string, len(rest))
	for i := range rest {
		lines[i] = strings.Join(strings.Fields(n.render(lineBody, lineBody, n.data(m, rest[i:i+1], false))), " ")
	}
	e.Description, _ = fitLines(lines, min(MaxDescription, room-e.size()), func(k int) string {
		return fmt.Sprintf("… and %d more", k)
	})
	return e
}

// moreAlerts is the visible note for alerts a message cannot show.
func moreAlerts(n int) string {
	if n == 1 {
		return "… 1 more alert"
	}
	return fmt.Sprintf("… %d more alerts", n)
}

// buildShort builds the short message posted when an alert resolves and
// its firing message was edited to show it: webhooks cannot reply to a
// message, and an edit alone notifies nobody.
func (n *Notifier) buildShort(m *notify.Message) *payload {
	alerts := alertsOf(m)
	d := n.data(m, alerts, false)
	e := embed{
		Title:       shorten(n.render(n.cfg.Title, DefaultTitle, d), MaxTitle),
		Description: shorten(n.render(shortBody, shortBody, d), MaxDescription),
		Color:       colorResolved,
		Timestamp:   timestampOf(m.Kind, alerts),
	}
	return &payload{Embeds: []embed{e}}
}

// footer names where the message comes from.
func (n *Notifier) footer() *embedFooter {
	return &embedFooter{Text: shorten("Herald · "+n.name, MaxFooter)}
}

// buildFields turns the labels of a (but alertname, which is the title)
// into fields, sorted by name, values in code spans so that Discord
// markdown in a label cannot change the text (nor make a link or a
// mention: Discord parses neither inside a code span); names are escaped
// (Prometheus 3 allows any UTF-8 in a label name). Beyond MaxFields, the last
// field counts the labels left out.
func buildFields(a amtemplate.Alert) []embedField {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range a.Labels {
			if k != "alertname" && !yield(k) {
				return
			}
		}
	})
	fs := make([]embedField, 0, min(len(names), MaxFields))
	for _, k := range names {
		v := strings.Join(strings.Fields(a.Labels[k]), " ")
		if v == "" {
			v = "(empty)" // Discord refuses a blank field value
		}
		v = codeSpan(strings.ReplaceAll(v, "`", "ˋ"), MaxFieldValue)
		fs = append(fs, embedField{Name: shorten(template.EscapeDiscord(k), MaxFieldName), Value: v, Inline: units(v) <= 40})
	}
	if len(fs) > MaxFields {
		fs = append(fs[:MaxFields-1], moreLabels(names[MaxFields-1:]))
	}
	return fs
}

// codeSpan puts v (free of backticks) in a code span of at most limit
// units, shortening v inside it so that the span stays closed.
func codeSpan(v string, limit int) string {
	return "`" + shorten(v, limit-2) + "`"
}

// moreLabels is the field that stands for labels left out.
func moreLabels(names []string) embedField {
	title := fmt.Sprintf("… %d more labels", len(names))
	if len(names) == 1 {
		title = "… 1 more label"
	}
	return embedField{Name: title, Value: shorten(strings.Join(names, ", "), 200)}
}

// fitFields returns fs within room units: whole when they fit, else with
// shortened values, else the first ones that fit and a field counting the
// rest (whose names it lists).
func fitFields(fs []embedField, room int) []embedField {
	if fieldsSize(fs) <= room {
		return fs
	}
	for i := range fs {
		if inner, ok := strings.CutPrefix(fs[i].Value, "`"); ok && strings.HasSuffix(inner, "`") {
			fs[i].Value = codeSpan(strings.TrimSuffix(inner, "`"), shortFieldValue)
		} else {
			fs[i].Value = shorten(fs[i].Value, shortFieldValue)
		}
	}
	for k := len(fs); k >= 0; k-- {
		out := slices.Clone(fs[:k])
		if k < len(fs) {
			names := make([]string, 0, len(fs)-k)
			for _, f := range fs[k:] {
				names = append(names, f.Name)
			}
			out = append(out, moreLabels(names))
		}
		if fieldsSize(out) <= room {
			return out
		}
	}
	return nil
}

func fieldsSize(fs []embedField) int {
	n := 0
	for _, f := range fs {
		n += units(f.Name) + units(f.Value)
	}
	return n
}
