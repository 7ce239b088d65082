package template

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/common/model"
)

// funcs returns Herald's template functions, added to Alertmanager's:
//
//	severityEmoji "critical"      🔥 (see SeverityEmoji)
//	alertEmoji .                  ✅ when resolved, else its severity's emoji
//	silenceURL $.ExternalURL .    Alertmanager's new-silence form for an alert
//	alertsURL $.ExternalURL       Alertmanager's alert list
//	isURL .GeneratorURL           an absolute http(s) URL?
//	shortDuration d               "3h 5m" (see ShortDuration)
//	duration .StartsAt .EndsAt    shortDuration of the difference
//	elapsed .StartsAt             shortDuration until now: "firing for 12m"
//	activeFor .                   elapsed, or until EndsAt when resolved
//	shortTime .StartsAt           "04:09 UTC", with the date when not today
//	oneLine s                     line breaks folded into spaces
//	truncate 80 s                 at most 80 characters, ending with "…"
//	shortLabel .                  instance, pod, host... of an alert
//	firstAlerts 30 .Alerts        at most 30 alerts
//	sub a b                       a - b
//
// They are bound to t so that the time helpers read t's clock, which keeps
// "firing for 12m" reproducible in tests and in `herald render`.
// Alertmanager's functions take precedence over these (amtemplate.New adds
// its DefaultFuncs last), so no name here may be one of theirs (`since`,
// `now`, `date`...).
func (t *Templates) funcs() map[string]any {
	return map[string]any{
		"severityEmoji": SeverityEmoji,
		"alertEmoji":    alertEmoji,
		"silenceURL":    SilenceURL,
		"alertsURL":     alertsURL,
		"isURL":         isURL,
		"shortDuration": ShortDuration,
		"duration":      func(from, to time.Time) string { return ShortDuration(to.Sub(from)) },
		"elapsed":       func(from time.Time) string { return ShortDuration(t.now().Sub(from)) },
		"activeFor":     t.activeFor,
		"shortTime":     t.shortTime,
		"oneLine":       oneLine,
		"truncate":      truncate,
		"shortLabel":    shortLabel,
		"firstAlerts":   firstAlerts,
		"sub":           func(a, b int) int { return a - b },
	}
}

// severityEmojis maps the severity values in common use (Prometheus
// mixins, kube-prometheus, PagerDuty/Opsgenie habits) to one emoji per
// level, so that a chat shows the level at a glance whatever the wording.
var severityEmojis = map[string]string{
	"critical": "🔥", "page": "🔥", "fatal": "🔥", "emergency": "🔥", "disaster": "🔥", "high": "🔥",
	"error": "🔴", "major": "🔴",
	"warning": "⚠️", "warn": "⚠️", "minor": "⚠️", "medium": "⚠️", "average": "⚠️",
	"info": "ℹ️", "informational": "ℹ️", "notice": "ℹ️", "low": "ℹ️", "none": "ℹ️",
}

// resolvedEmoji marks a resolved alert; every other emoji means firing.
const resolvedEmoji = "✅"

// SeverityEmoji returns the emoji of a severity label value (case does not
// matter): 🔥 critical, 🔴 error, ⚠️ warning, ℹ️ info, 🔔 anything else.
func SeverityEmoji(severity string) string {
	if e, ok := severityEmojis[strings.ToLower(strings.TrimSpace(severity))]; ok {
		return e
	}
	return "🔔"
}

func alertEmoji(a amtemplate.Alert) string {
	if a.Status == string(model.AlertResolved) {
		return resolvedEmoji
	}
	return SeverityEmoji(a.Labels["severity"])
}

// plainLabelName matches the label names that Alertmanager's matcher syntax
// accepts unquoted.
var plainLabelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// matcherEscaper escapes a quoted matcher value the way Alertmanager's
// labels.Matcher.String does, so that the silence form parses it back.
var matcherEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

// SilenceURL returns the link to Alertmanager's new-silence form prefilled
// with every label of a, or "" when externalURL is not an http(s) URL.
func SilenceURL(externalURL string, a amtemplate.Alert) string {
	if !isURL(externalURL) {
		return ""
	}
	names := make([]string, 0, len(a.Labels))
	for k := range a.Labels {
		names = append(names, k)
	}
	sort.Strings(names)
	ms := make([]string, 0, len(names))
	for _, k := range names {
		name := k
		if !plainLabelName.MatchString(k) {
			name = `"` + matcherEscaper.Replace(k) + `"`
		}
		ms = append(ms, name+`="`+matcherEscaper.Replace(a.Labels[k])+`"`)
	}
	// QueryEscape writes spaces as "+", which the Alertmanager UI reads
	// literally inside the fragment; %20 is unambiguous.
	filter := strings.ReplaceAll(url.QueryEscape("{"+strings.Join(ms, ",")+"}"), "+", "%20")
	return strings.TrimRight(externalURL, "/") + "/#/silences/new?filter=" + filter
}

// alertsURL returns Alertmanager's alert list page, or "" when externalURL
// is not an http(s) URL.
func alertsURL(externalURL string) string {
	if !isURL(externalURL) {
		return ""
	}
	return strings.TrimRight(externalURL, "/") + "/#/alerts"
}

// isURL reports whether s is an absolute http(s) URL. Links are only drawn
// for those: html/template would turn anything else into "#ZgotmplZ", and a
// relative generatorURL is useless in a chat.
func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ShortDuration formats d for people reading a chat: "45s", "12m", "3h 5m",
// "2d 4h". It truncates rather than rounds (an alert firing for 59m is not
// firing for 1h) and shows negative durations (clock skew) as "0s".
func ShortDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", max(int(d/time.Second), 0))
	}
	m := int(d / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%dm", m)
	case m < 24*60:
		return joinUnits(m/60, "h", m%60, "m")
	default:
		return joinUnits(m/(24*60), "d", m/60%24, "h")
	}
}

func joinUnits(a int, au string, b int, bu string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, au)
	}
	return fmt.Sprintf("%d%s %d%s", a, au, b, bu)
}

// activeFor is how long a has been (or was) firing: until EndsAt for a
// resolved alert, until now otherwise.
func (t *Templates) activeFor(a amtemplate.Alert) string {
	if a.Status == string(model.AlertResolved) && !a.EndsAt.IsZero() {
		return ShortDuration(a.EndsAt.Sub(a.StartsAt))
	}
	return ShortDuration(t.now().Sub(a.StartsAt))
}

// shortTime formats ts in UTC with only as much date as is needed to tell
// it apart from today: "04:09 UTC", "Nov 20 23:50 UTC", "2025-12-31 23:50 UTC".
func (t *Templates) shortTime(ts time.Time) string {
	if ts.IsZero() {
		return ""
	}
	ts, now := ts.UTC(), t.now().UTC()
	switch {
	case ts.Year() == now.Year() && ts.YearDay() == now.YearDay():
		return ts.Format("15:04 UTC")
	case ts.Year() == now.Year():
		return ts.Format("Jan 2 15:04 UTC")
	default:
		return ts.Format("2006-01-02 15:04 UTC")
	}
}

// oneLine folds line breaks into spaces. Values that go inside an HTML tag
// pass through it, because the Telegram notifier splits long messages at
// line breaks and a tag must never be cut in two.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate shortens s to at most n characters (runes), ending it with "…".
// The argument order suits pipelines: {{ .Value | truncate 80 }}.
func truncate(n int, s string) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}

// identityLabels are the labels that best say which thing an alert is
// about, most specific first.
var identityLabels = []string{"instance", "pod", "container", "host", "hostname", "node", "device", "service", "job", "namespace"}

// shortLabel names the thing an alert is about in a few characters, for
// one-line summaries: its instance, pod, host... or "".
func shortLabel(a amtemplate.Alert) string {
	for _, k := range identityLabels {
		if v := oneLine(a.Labels[k]); v != "" {
			return truncate(60, v)
		}
	}
	return ""
}

// firstAlerts returns at most n alerts, so that a storm of hundreds of
// alerts still gives a message of bounded length.
func firstAlerts(n int, as amtemplate.Alerts) amtemplate.Alerts {
	if n < 0 {
		n = 0
	}
	if len(as) > n {
		return as[:n]
	}
	return as
}
