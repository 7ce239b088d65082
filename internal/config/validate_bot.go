package config

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/heraldhq/herald/internal/graph/unit"
)

// checkBotSettings checks the interactive bot's part of telegram:.
func (l *loader) checkBotSettings(c *Config) {
	t := &c.Telegram
	switch {
	case l.hasFailed("telegram.mode"):
	case t.Mode == BotPolling, t.Mode == BotOff:
	case t.Mode == BotWebhook:
		if t.Webhook.URL == "" && c.ExternalURL == "" {
			l.fieldErrorf("telegram.webhook.url", "webhook mode needs a public URL: set telegram.webhook.url or external_url")
		}
	default:
		l.fieldErrorf("telegram.mode", "unknown mode %q (want polling, webhook or off)", t.Mode)
	}
	if t.Webhook.URL != "" && !l.hasFailed("telegram.webhook.url") {
		if err := checkHTTPURL(t.Webhook.URL); err != nil {
			l.fieldErrorf("telegram.webhook.url", "%v", err)
		} else if !strings.HasPrefix(t.Webhook.URL, "https://") {
			l.fieldErrorf("telegram.webhook.url", "must be an https URL: Telegram posts to HTTPS only")
		}
	}
	if s := string(t.Webhook.SecretToken); s != "" && !secretTokenRE.MatchString(s) && !l.hasFailed("telegram.webhook.secret_token") {
		l.fieldErrorf("telegram.webhook.secret_token", "must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
	}
	if t.PollTimeout.D() < time.Second && !l.hasFailed("telegram.poll_timeout") {
		l.fieldErrorf("telegram.poll_timeout", "must be at least 1s (a long poll; 0 would ask Telegram in a tight loop)")
	}
	for _, list := range []struct {
		field string
		ids   []string
		chats bool
	}{{"telegram.allowed_users", t.AllowedUsers, false}, {"telegram.allowed_chats", t.AllowedChats, true}, {"telegram.admins", t.Admins, false}} {
		for i, id := range list.ids {
			if msg := chatRefProblem(id, list.chats); msg != "" {
				l.fieldErrorf(list.field+"["+strconv.Itoa(i)+"]", "%s", msg)
			}
		}
	}
	if !l.hasFailed("telegram.changes") && t.Changes != ChangesByAdmins && t.Changes != ChangesByAllowed {
		l.fieldErrorf("telegram.changes", "unknown value %q (want admins or allowed)", t.Changes)
	}
	if t.CommandsPerMinute <= 0 && !l.hasFailed("telegram.commands_per_minute") {
		l.fieldErrorf("telegram.commands_per_minute", "must be greater than 0")
	}
	if !slices.Contains(BotLanguages, t.Language) && !l.hasFailed("telegram.language") {
		l.fieldErrorf("telegram.language", "unknown language %q (want one of %s)", t.Language, strings.Join(BotLanguages, ", "))
	}
}

// secretTokenRE is Telegram's rule for setWebhook's secret_token.
var secretTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// usernameRE is a Telegram @username: 5-32 of letters, digits and _.
var usernameRE = regexp.MustCompile(`^@[A-Za-z][A-Za-z0-9_]{3,31}$`)

// chatRefProblem says what is wrong with a user or chat reference, "" if
// nothing. Users have positive ids; chats may be negative (groups).
func chatRefProblem(s string, chats bool) string {
	if strings.HasPrefix(s, "@") {
		if !usernameRE.MatchString(s) {
			return "invalid @username " + strconv.Quote(s) + " (5 to 32 letters, digits and _)"
		}
		return ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return "want a numeric id or an @username, got " + strconv.Quote(s)
	case n == 0, n < 0 && !chats:
		return "invalid id " + s + " (user ids are positive; send /start to the bot to see yours)"
	}
	return ""
}

func (l *loader) checkAlertmanager(a *AlertmanagerConfig) {
	l.checkAPIURL("alertmanager.url", a.URL)
	l.positive("alertmanager.timeout", a.Timeout)
}

// chartNameRE is a saved chart's name, typed after /chart.
var chartNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

func (l *loader) checkCharts(c *Config) {
	seen := map[string]bool{}
	for i := range c.Charts {
		ch := &c.Charts[i]
		p := "charts[" + strconv.Itoa(i) + "]"
		switch {
		case ch.Name == "":
			l.fieldErrorf(p+".name", "required")
		case !chartNameRE.MatchString(ch.Name):
			l.fieldErrorf(p+".name", "invalid name %q (1 to 32 of a-z, 0-9, _ and -, as typed after /chart)", ch.Name)
		case seen[ch.Name]:
			l.fieldErrorf(p+".name", "duplicate chart name %q", ch.Name)
		}
		seen[ch.Name] = true
		switch ch.Source {
		case "":
			ch.Source = ChartPrometheus
		case ChartPrometheus, ChartLocal:
		default:
			l.fieldErrorf(p+".source", "unknown source %q (want prometheus or local)", ch.Source)
		}
		switch {
		case ch.Query == "":
			l.fieldErrorf(p+".query", "required")
		case ch.Source == ChartLocal:
			if _, err := parser.NewParser(parser.Options{}).ParseMetricSelector(ch.Query); err != nil {
				l.fieldErrorf(p+".query", "with source local, want a metric name with optional matchers, e.g. lag_blocks{check=\"eth\"}: %v", err)
			}
		default:
			if _, err := parser.NewParser(parser.Options{}).ParseExpr(ch.Query); err != nil {
				l.fieldErrorf(p+".query", "invalid PromQL: %v", err)
			}
		}
		if ch.Unit != "" {
			if id, ok := unit.Normalize(ch.Unit); ok {
				ch.Unit = id
			} else {
				l.fieldErrorf(p+".unit", "unknown unit %q (want a Grafana unit id such as percent, bytes, s or Bps)", ch.Unit)
			}
		}
		if ch.Range == 0 {
			ch.Range = Duration(time.Hour)
		} else {
			l.positive(p+".range", ch.Range)
		}
	}
}
