package config

import (
	"net/url"
	"strings"
)

// checkBotToken checks the top-level bot's token (a channel's own is
// checked by the telegram package with FieldErrors.CheckBotToken).
func (l *loader) checkBotToken(field string, token Secret) {
	if msg := botTokenProblem(token); msg != "" && !l.hasFailed(field) {
		l.fieldErrorf(field, "%s", msg)
	}
}

// checkGrafanaURL refuses what the Grafana client cannot use: a query or a
// fragment would be lost or misread when render paths are added.
func (l *loader) checkGrafanaURL(field, s string) {
	if s == "" || l.hasFailed(field) {
		return
	}
	if u, err := url.Parse(strings.TrimRight(s, "/")); err == nil && u.User == nil && (u.RawQuery != "" || u.Fragment != "") {
		l.fieldErrorf(field, "must not contain a query or a fragment")
	}
}
