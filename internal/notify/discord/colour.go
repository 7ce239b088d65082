package discord

import (
	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/template"
)

// Colours of the embed's left bar, by what the alert says (0xRRGGBB).
// Mattermost's attachments take the same (see ColorOf), so that both
// platforms read alike.
const (
	colorCritical = 0xE74C3C // red: critical, error and the like
	colorWarning  = 0xE67E22 // orange
	colorInfo     = 0x3498DB // blue
	colorResolved = 0x2ECC71 // green
	colorUnknown  = 0x99AAB5 // grey: no or an unknown severity
)

// ColorOf is the colour (0xRRGGBB) of a message about alerts: green when
// every one of them is resolved, else that of the most severe still
// firing; grey for none.
func ColorOf(kind alert.Kind, alerts []amtemplate.Alert) int {
	if len(alerts) == 0 {
		return colorUnknown
	}
	rank := map[int]int{colorUnknown: 0, colorInfo: 1, colorWarning: 2, colorCritical: 3}
	c, resolved := colorUnknown, true
	for _, a := range alerts {
		if kind == alert.KindResolved || a.Status == string(alert.KindResolved) {
			continue
		}
		resolved = false
		if s := severityColor(a.Labels["severity"]); rank[s] > rank[c] {
			c = s
		}
	}
	if resolved {
		return colorResolved
	}
	return c
}

// severityColor maps a severity through Herald's severity emoji, so that
// the colour and the emoji of the title always agree.
func severityColor(severity string) int {
	switch template.SeverityEmoji(severity) {
	case "🔥", "🔴":
		return colorCritical
	case "⚠️":
		return colorWarning
	case "ℹ️":
		return colorInfo
	}
	return colorUnknown
}
